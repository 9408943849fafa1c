/**
 * A personal baseline's history from what InfluxDB already holds (issue 4: "slow rules over long
 * windows run as scheduled jobs that query InfluxDB"). A baseline that starts on a device (the pack
 * enabled for a resident monitored for weeks, a device registered again, a state dropped) would
 * otherwise wait `coldStartDays` periods before its first decision. Instead its fresh state asks for
 * the periods that ended before it started; a job reads the device's events from InfluxDB
 * (workers/history-worker.ts) and the answer is folded in here, in the device's order, before the
 * periods the state counted itself: the two never overlap, as the state starts with the first full
 * occurrence after the time it asks up to.
 *
 * Counted as the live kind counts (rules/engine/history.ts): matching events less than
 * `mergeWithinMinutes` after the previous one are one episode; a period in which the device sent
 * nothing is invalid (left out) unless `requireAnyRecord` is off. Only the history is filled: the deviant flags of recent periods (the
 * "2 of 3") still come from periods judged live, so a backfill alone never raises an alert.
 */
import type { HistoryData, HistoryRequest, HistorySource, Subject } from '../engine/types.ts'
import type { BaselineParams, BaselineState } from './baseline.ts'
import { MINUTE_MS, zoneOf } from './common-metric.ts'
import { firstFullOccurrence, occurrenceAfter, type Occurrence } from './occurrence.ts'

/** Periods asked for: twice the history, so periods with no record still leave enough valid ones. */
export function periodsWanted(p: BaselineParams): number {
  return p.historyDays * 2
}

/** The last `n` occurrences of the window that ended at or before `before`, oldest first. */
export function periodsBefore(before: number, zone: string, window: BaselineParams['window'], n: number): Occurrence[] {
  // walk forward from comfortably far back (a window occurs once a local day; DST days are 23-25 h)
  let occ = firstFullOccurrence(before - (n + 2) * 26 * 60 * MINUTE_MS, zone, window)
  const out: Occurrence[] = []
  while (occ.end <= before) {
    out.push(occ)
    occ = occurrenceAfter(occ, zone, window)
  }
  return out.slice(-n)
}

/** The counts of the valid periods, oldest first, at most `historyDays`. */
export function historyCounts(data: HistoryData, p: BaselineParams): number[] {
  return data.periods.filter((period) => !p.requireAnyRecord || period.active).map((period) => period.episodes).slice(-p.historyDays)
}

export const baselineHistory: HistorySource<BaselineParams, BaselineState> = {
  pending(state: BaselineState): number | undefined {
    return typeof state?.backfill === 'number' ? state.backfill : undefined
  },

  wanted(state: BaselineState, p: BaselineParams, subject: Subject): HistoryRequest | undefined {
    if (state.backfill === undefined) return undefined
    const periods = periodsBefore(state.backfill, zoneOf(subject), p.window, periodsWanted(p))
    return { token: state.backfill, eventTypes: p.match.eventTypes, mergeMs: p.mergeWithinMinutes * MINUTE_MS, periods: periods.map(({ start, end }) => ({ start, end })) }
  },

  apply(state: BaselineState, p: BaselineParams, subject: Subject, token: number, data: HistoryData): BaselineState {
    if (state.backfill !== token) return state
    const { backfill: _, ...rest } = state
    return { ...rest, history: [...historyCounts(data, p), ...state.history].slice(-p.historyDays) }
  },
}
