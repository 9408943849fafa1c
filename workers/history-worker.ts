/**
 * Processor of the `rules-history` queue: reads from InfluxDB the history a rule asked for when it
 * started on a device (rules/engine/types.ts HistoryRequest: a personal baseline enabled for a
 * resident with weeks of data), and hands the summary to the device's partition as a `history` job
 * (both jobs' contracts: jobs.ts), where it is folded into the rule's state in the device's order
 * (rule-worker.ts).
 *
 * The reading stays out of the partition queues on purpose: a slow or absent InfluxDB must never
 * hold up a pendant press behind it. While InfluxDB is down the job is retried (capped backoff, for
 * hours), and so is a read while store jobs queued before the rule started are still waiting (their
 * readings are not in InfluxDB yet); the rule decides meanwhile from the periods it has seen itself. The query names the
 * device's tenant as well as the device, so it never reads another tenant's points, and only the
 * per-period counts travel on, never event times.
 */
import { Queue, UnrecoverableError, type Job } from 'bullmq'
import { LookoutError } from '../lib/errors.ts'
import type { InfluxClient, InfluxSeries } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { summarizeHistory, type HistoryRequest } from '../rules/index.ts'
import { HISTORY_JOB_OPTIONS, historyRequestJobId, JOB_NAME, readHistoryRequestJob, type HistoryAnswerJob, type HistoryRequestJob } from './jobs.ts'

/** An InfluxQL string literal. */
export function influxString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`
}

/** Measurements holding what a device itself sent (connections are written by the broker). */
const DEVICE_MEASUREMENTS = '"events","telemetry","telemetry_unmapped"'

/**
 * The statements answering a request: first the times of the matching events over all periods, then
 * per period whether the device sent any point at all. Tags are compared as `"tenant"::tag`: a bare
 * `"tenant"` means the field when a measurement has a field of that name too (points written before
 * ingest refused such names), and would then match nothing.
 */
export function historyStatements(tenant: string, deviceId: string, request: HistoryRequest): string[] {
  if (request.periods.length === 0) return []
  const owner = `"tenant"::tag = ${influxString(tenant)} AND "device"::tag = ${influxString(deviceId)}`
  const span = (start: number, end: number) => `time >= ${start}ms AND time < ${end}ms`
  const types = request.eventTypes.map((t) => `"event"::tag = ${influxString(t)}`).join(' OR ')
  const first = request.periods[0]!.start
  const last = request.periods[request.periods.length - 1]!.end
  return [
    `SELECT "value" FROM "events" WHERE ${owner} AND (${types}) AND ${span(first, last)}`,
    ...request.periods.map((p) => `SELECT count(*) FROM ${DEVICE_MEASUREMENTS} WHERE ${owner} AND ${span(p.start, p.end)}`),
  ]
}

function times(series: readonly InfluxSeries[]): number[] {
  return series.flatMap((s) => s.values.map((v) => Number(v[0]))).sort((a, b) => a - b)
}

function anyPoint(series: readonly InfluxSeries[]): boolean {
  return series.some((s) => s.values.some((row) => row.slice(1).some((n) => typeof n === 'number' && n > 0)))
}

export interface HistoryProcessorDeps {
  influx: InfluxClient
  /** Hands the answer to the device's partition. */
  deliver(answer: HistoryAnswerJob): Promise<void>
  /** Whether readings received before `at` may still be on their way to InfluxDB (store jobs queued before then). */
  storeBehind(at: number): Promise<boolean>
  metrics: Metrics
  log: Logger
}

export function createHistoryProcessor(deps: HistoryProcessorDeps) {
  const log = deps.log.child({ component: 'rules-history' })
  return async function processHistoryJob(job: Job): Promise<void> {
    const data: HistoryRequestJob | undefined = readHistoryRequestJob(job.data)
    if (!data) {
      log.error({ jobId: job.id }, 'history job has invalid data; dropped')
      throw new UnrecoverableError('JOB_INVALID')
    }
    if (await deps.storeBehind(data.request.token)) {
      // readings from before the rule started are still queued for InfluxDB (a backlog, an outage):
      // reading now would count those nights short, so wait for them
      deps.metrics.rulesHistory.inc({ outcome: 'retried' })
      throw new LookoutError('INFLUX_QUERY_FAILED', 'readings from before the rule started are still queued for InfluxDB', { retryable: true })
    }
    const statements = historyStatements(data.tenant, data.deviceId, data.request)
    let results: InfluxSeries[][]
    try {
      results = await deps.influx.queryAll(statements)
    } catch (err) {
      const e = err as LookoutError
      // the database is created in the background at start: not there yet is worth waiting for
      const retryable = e.retryable === true || /database not found/.test(e.message)
      deps.metrics.rulesHistory.inc({ outcome: retryable ? 'retried' : 'failed' })
      log.warn({ code: e.code, deviceId: data.deviceId, rule: data.ruleId, attempt: job.attemptsMade + 1, err }, 'could not read rule history from InfluxDB')
      if (!retryable) throw new UnrecoverableError(e.code ?? 'INFLUX_QUERY_FAILED')
      throw err
    }
    const active = data.request.periods.map((_, i) => anyPoint(results[i + 1] ?? []))
    const summary = summarizeHistory(data.request, times(results[0] ?? []), active)
    await deps.deliver({ deviceId: data.deviceId, ruleId: data.ruleId, token: data.request.token, periods: summary.periods })
    deps.metrics.rulesHistory.inc({ outcome: 'loaded' })
  }
}

/** Where rule workers put history requests; idempotent per (device, rule, state). */
export function createHistoryRequester(queue: Queue) {
  return async function requestHistory(jobs: readonly HistoryRequestJob[]): Promise<void> {
    if (jobs.length === 0) return
    await queue.addBulk(jobs.map((data) => ({ name: JOB_NAME.historyRequest, data, opts: { ...HISTORY_JOB_OPTIONS, jobId: historyRequestJobId(data) } })))
  }
}
