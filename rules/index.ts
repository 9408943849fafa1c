export { evaluateImmediateEvent, IMMEDIATE_EVENT_RULES, type ImmediateEventRule } from './immediate-events.ts'
export { PRIORITIES, type Priority, type AlertCandidate } from './types.ts'
