/**
 * Summaries of stored history for kinds that start from it (types.ts HistoryRequest): the reading
 * (workers/history-worker.ts) fetches event times and activity from InfluxDB; this turns them into
 * what the kind gets, per period. Pure.
 */
import type { HistoryData, HistoryRequest } from './types.ts'

/** Episodes among ascending event times: an event less than `mergeMs` after the previous one continues its episode; equal times are one event. */
export function countEpisodes(times: readonly number[], mergeMs: number): number {
  let count = 0
  let last: number | null = null
  for (const t of times) {
    if (last === null || (t > last && t - last >= mergeMs)) count++
    if (last === null || t >= last) last = t
  }
  return count
}

/** Per period: the episodes among `eventTimes` (ascending) inside it, and whether the device sent anything in it (`active`, or any event). */
export function summarizeHistory(request: HistoryRequest, eventTimes: readonly number[], active: readonly boolean[]): HistoryData {
  let e = 0
  return {
    periods: request.periods.map((period, i) => {
      while (e < eventTimes.length && eventTimes[e]! < period.start) e++
      const inside: number[] = []
      while (e < eventTimes.length && eventTimes[e]! < period.end) inside.push(eventTimes[e++]!)
      const episodes = countEpisodes(inside, request.mergeMs)
      return { episodes, active: active[i] === true || episodes > 0 }
    }),
  }
}
