/**
 * The four jobs of a `rules-p<N>` queue (rule-worker.ts dispatches them): each loads its devices,
 * steps them in memory (rules/engine/device-run.ts), and settles (rule-settle.ts), all retried in
 * place (rule-retry.ts).
 */
import type { Job } from 'bullmq'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import { advanceTimers, newOutput, runHistory, runInit, runRecord } from '../rules/index.ts'
import type { HistoryAnswerJob } from './jobs.ts'
import type { LoadDevices } from './rule-devices.ts'
import type { InPlace } from './rule-retry.ts'
import type { Settle } from './rule-settle.ts'
import type { DeviceCommit, RuleStateStore } from './rule-state.ts'
import type { SubjectCache } from './subjects.ts'

export interface RuleJobContext {
  partition: number
  states: RuleStateStore
  subjects: SubjectCache
  metrics: Metrics
  closing: () => boolean
  load: LoadDevices
  settle: Settle
  inPlace: InPlace
  guarded: StepGuard
}

/** A tick stops after this long and leaves the rest to the next (so records are not held up). */
const TICK_BUDGET_MS = 2000

export type StepGuard = (commit: DeviceCommit, run: () => void) => DeviceCommit

/**
 * Steps one device; when that throws (a kind re-arming a timer in a loop: device-run.ts), the
 * device's rule state is dropped rather than the partition retrying it for ever: its rules start
 * afresh with its next message, and the failure is logged and counted.
 */
export function createStepGuard(deps: { metrics: Metrics; log: Logger }): StepGuard {
  return function guarded(commit, run) {
    try {
      run()
      return commit
    } catch (err) {
      deps.metrics.rulesFailures.inc({ code: 'RULE_FAILED' })
      deps.log.error({ code: 'RULE_FAILED', deviceId: commit.deviceId, err }, 'rules of a device failed; its rule state is dropped and starts afresh')
      return { deviceId: commit.deviceId, stored: commit.stored, output: newOutput(), remove: true }
    }
  }
}

/** A batch from ingest: each device's records in receipt order; a batch applied before a crash is not applied again. */
export async function processRecords(c: RuleJobContext, job: Job, records: readonly IngestRecord[]): Promise<void> {
  const jobNo = Number(job.id)
  const byDevice = new Map<string, IngestRecord[]>()
  for (const r of records) {
    const list = byDevice.get(r.deviceId)
    if (list) list.push(r)
    else byDevice.set(r.deviceId, [r])
  }
  await c.inPlace(job, async () => {
    const { loaded, unknown } = await c.load([...byDevice.keys()])
    const commits: DeviceCommit[] = []
    for (const u of unknown) c.metrics.rulesSkipped.inc({ reason: 'unknown_device' }, byDevice.get(u.deviceId)!.length)
    for (const [id, { subject, ctx, commit }] of loaded) {
      const list = byDevice.get(id)!
      if (Number.isSafeInteger(jobNo) && commit.stored.lastJob >= jobNo) {
        // committed before the worker died, not yet marked complete: applied once already
        c.metrics.rulesSkipped.inc({ reason: 'already_applied' }, list.length)
        continue
      }
      const done = c.guarded(commit, () => {
        for (const record of list) {
          if (record.tenant !== subject.tenant) {
            c.metrics.rulesSkipped.inc({ reason: 'tenant_mismatch' })
            continue
          }
          runRecord(ctx, commit.stored.state, record, commit.output)
        }
      })
      commits.push(done.remove ? done : { ...done, job: Number.isSafeInteger(jobNo) ? jobNo : undefined })
    }
    await c.settle(loaded, commits)
  })
  c.metrics.rulesEvaluated.inc(records.length)
}

/** Registration or a rules change: rules with no state are initialised (absence timers armed from `at`). */
export async function processInit(c: RuleJobContext, job: Job, deviceIds: readonly string[], at: number): Promise<void> {
  for (const id of deviceIds) c.subjects.forget(id)
  await c.inPlace(job, async () => {
    const { loaded } = await c.load([...new Set(deviceIds)])
    const commits: DeviceCommit[] = []
    for (const { ctx, commit } of loaded.values()) commits.push(c.guarded(commit, () => runInit(ctx, commit.stored.state, at, commit.output)))
    await c.settle(loaded, commits)
  })
}

/** A rule's stored history, read by history-worker.ts, folded into its state (if it still waits for it). */
export async function processHistory(c: RuleJobContext, job: Job, answer: HistoryAnswerJob): Promise<void> {
  await c.inPlace(job, async () => {
    const { loaded } = await c.load([answer.deviceId])
    const device = loaded.get(answer.deviceId)
    if (!device) return
    const { ctx, commit } = device
    runHistory(ctx, commit.stored.state, answer.ruleId, answer.token, { periods: answer.periods }, commit.output)
    if (commit.output.changedStates.size === 0) return
    await c.states.commit(c.partition, [commit])
    c.metrics.rulesHistory.inc({ outcome: 'applied' })
  })
}

/** Fires the timers due by `horizon`, `batch` devices at a time, for at most TICK_BUDGET_MS. */
export async function processTick(c: RuleJobContext, job: Job, horizon: number, batch: number): Promise<void> {
  const started = Date.now()
  for (;;) {
    let count = 0
    await c.inPlace(job, async () => {
      const due = await c.states.dueDevices(c.partition, horizon, batch)
      count = due.length
      if (due.length === 0) return
      const { loaded, unknown } = await c.load(due)
      const commits: DeviceCommit[] = [...unknown]
      for (const { ctx, commit } of loaded.values()) commits.push(c.guarded(commit, () => advanceTimers(ctx, commit.stored.state, horizon, commit.output)))
      await c.settle(loaded, commits)
    })
    if (count < batch || Date.now() - started > TICK_BUDGET_MS || c.closing()) return
  }
}
