export { PRIORITIES, HUB_OFFLINE_RULE, type Priority, type AlertCandidate } from './types.ts'
export type { RuleKind, RuleAction, Step, Subject, HistoryRequest, HistoryData } from './engine/types.ts'
export { RULE_KINDS } from './kinds/index.ts'
export { PACKS } from './catalogue/index.ts'
export { parseRules, parseRulesText, type LoadOptions } from './definitions/load.ts'
export { rulesFor, type ResolvedRule } from './definitions/resolve.ts'
export { PACK_NAMES, type PackName, type RuleDefinition, type RuleOverride, type RulesConfig } from './definitions/schema.ts'
export {
  evaluate,
  dedupeKeyOf,
  hubOfflineKey,
  HUB_INHIBITED_KINDS,
  type EngineEvent,
  type EvaluateInput,
  type EvaluateResult,
  type HubStatus,
  type TimerChange,
  type AlertClear,
  type RuleFailure,
} from './engine/evaluate.ts'
export { replay, type ReplayOptions, type ReplayLine, type ReplayResult } from './engine/replay.ts'
export { Instant, instantMs, parseEventsJsonl, parseDevicesJson, type ReplayDevice, type ReplayEvent } from './engine/replay-input.ts'
export {
  advanceTimers,
  emptyDeviceState,
  historyWanted,
  newOutput,
  nextDue,
  runHistory,
  runInit,
  runRecord,
  type DeviceContext,
  type DeviceRuleState,
  type DeviceRunOutput,
} from './engine/device-run.ts'
export { summarizeHistory } from './engine/history.ts'
