export { buildApi, type ApiDeps } from './api/app.ts'
export { createAlertHub, type AlertHub } from './api/alert-hub.ts'
