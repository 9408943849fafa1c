export { createAlertStore, type AlertStore, type AlertEvent, type AlertEventType } from './alert-store.ts'
export { Alert, alertIdFor, ALERT_STATUSES } from './alert.ts'
