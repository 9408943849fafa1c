export { ALERT_EVENT_TYPES, createAlertStore, type AlertStore, type AlertEvent, type AlertEventType } from './alert-store.ts'
export { createAlertHub, streamIdAfter, type AlertHub } from './alert-hub.ts'
export { Alert, AlertFacts, alertIdFor, ALERT_STATUSES, type AlertStatus } from './alert.ts'
