export { PRIORITIES, type Priority, type AlertCandidate } from '../lib/alert-contract.ts'

/** The rule id of the one alert raised for an offline hub instead of one absence alert per device behind it. */
export const HUB_OFFLINE_RULE = 'hub-offline'
