/**
 * Processor of a `rules-p<N>` queue: the live rule engine for the devices of partition N.
 *
 * Jobs (one worker at a time per partition across all processes: the queue's global concurrency
 * is 1, so each device's records and timers are evaluated in order, once):
 *   records  { records }            a batch from ingest, in receipt order
 *   init     { deviceIds, at }      registration or a rules change: rules with no state are
 *                                   initialised (absence timers armed from `at`)
 *   tick     {}                     every LOOKOUT_RULE_TICK_MS (a BullMQ job scheduler): timers due
 *                                   by the tick's time, less LOOKOUT_RULE_TIMER_GRACE_MS, fire
 *   history  { deviceId, ruleId, token, periods }   history read from InfluxDB for a rule that
 *                                   started (history-worker.ts), folded into its state
 *
 * Each job: load the devices' rule state, step them in memory (rules/engine/device-run.ts), raise
 * and resolve the alerts (idempotent by dedupe key), then commit the states and timers in one
 * atomic write (rule-state.ts). Killed between any two of those, the job runs again from the state
 * before it and reaches the same decisions, so no alert is lost or raised twice. Redis errors are
 * retried in place (so later jobs of the partition do not overtake this one). Rules that started in
 * a job and want their stored history (personal baselines) have it requested before the commit,
 * idempotently, so a job that dies after the commit has asked already.
 */
import { UnrecoverableError, type Job } from 'bullmq'
import type { AlertStore } from '../lib/alerts/index.ts'
import { LookoutError } from '../lib/errors.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import { rulesFor, type ResolvedRule } from '../rules/definitions/resolve.ts'
import type { RulesConfig } from '../rules/definitions/schema.ts'
import { advanceTimers, historyWanted, newOutput, runHistory, runInit, runRecord, type DeviceContext, type DeviceRunOutput } from '../rules/engine/device-run.ts'
import type { HubStatus } from '../rules/engine/evaluate.ts'
import type { Subject } from '../rules/engine/types.ts'
import { readHistoryAnswerJob, type HistoryAnswerJob, type HistoryRequestJob } from './history-jobs.ts'
import { readRecordsJob } from './queues.ts'
import type { DeviceCommit, RuleStateStore } from './rule-state.ts'
import type { RulesStore } from './rules-store.ts'
import { defaultRulesConfig } from './rules-store.ts'
import type { SubjectCache } from './subjects.ts'

export interface RuleProcessorDeps {
  partition: number
  states: RuleStateStore
  rules: RulesStore
  subjects: SubjectCache
  alerts: AlertStore
  metrics: Metrics
  log: Logger
  /** Wall clock: for the lateness metric. */
  now: () => number
  /**
   * The time up to which a tick fires timers. Default: when the tick was due (its job's scheduled
   * time) less `timerGraceMs`: every record received before then was queued ahead of the tick (the
   * queue is FIFO), so no timer fires before a record that arrived in time to stop it, even when a
   * backlog is being worked off after a restart. Tests with a simulated clock give their clock.
   */
  tickHorizon?: ((job: Job) => number) | undefined
  /** See tickHorizon: how long a record may take from receipt to its queue. */
  timerGraceMs: number
  closing: () => boolean
  /** Asks for the stored history of rules that started (history-worker.ts); idempotent. */
  requestHistory: (jobs: readonly HistoryRequestJob[]) => Promise<void>
  /** Devices a tick loads at a time. */
  tickBatch?: number | undefined
}

const TICK_BATCH = 500
/** A tick stops after this long and leaves the rest to the next (so records are not held up). */
const TICK_BUDGET_MS = 2000
const RETRY_MAX_MS = 5000

export function readInitJob(data: unknown): { deviceIds: string[]; at: number } | undefined {
  const d = data as { deviceIds?: unknown; at?: unknown } | null
  if (!Array.isArray(d?.deviceIds) || !d.deviceIds.every((id) => typeof id === 'string') || typeof d.at !== 'number' || !Number.isFinite(d.at)) return undefined
  return { deviceIds: d.deviceIds as string[], at: d.at }
}

interface Loaded {
  subject: Subject
  ctx: DeviceContext
  commit: DeviceCommit
}

export function createRuleProcessor(deps: RuleProcessorDeps) {
  const log = deps.log.child({ partition: deps.partition })
  const reportedInvalid = new Set<string>()

  function rulesOf(config: RulesConfig, subject: Subject): readonly ResolvedRule[] {
    try {
      return rulesFor(config, subject)
    } catch (err) {
      // an override that merges into invalid params for this device (refused at `rules set` for
      // the devices then registered): this device falls back to the default packs
      const key = `${config.version}\u0000${subject.deviceId}`
      if (!reportedInvalid.has(key)) {
        reportedInvalid.add(key)
        log.error({ tenant: subject.tenant, deviceId: subject.deviceId, code: (err as LookoutError).code, err: (err as Error).message }, 'rules do not resolve for device; using the default packs')
      }
      deps.metrics.rulesFailures.inc({ code: 'RULES_INVALID' })
      return rulesFor(defaultRulesConfig(subject.tenant), subject)
    }
  }

  /** Loads state, subject and rules of the devices; devices not registered are left out (and listed). */
  async function load(deviceIds: readonly string[]): Promise<{ loaded: Map<string, Loaded>; unknown: DeviceCommit[] }> {
    const [stored, subjects] = await Promise.all([deps.states.load(deviceIds), deps.subjects.get(deviceIds)])
    const known = [...subjects.values()].filter((s): s is Subject => s !== undefined)
    const configs = await deps.rules.load(known.map((s) => s.tenant))
    const hubIds = [...new Set(known.flatMap((s) => (s.hub !== undefined && s.hub !== s.deviceId ? [s.hub] : [])))]
    const [seen, hubSubjects] =
      hubIds.length > 0 ? await Promise.all([deps.states.seenOf(hubIds), deps.subjects.get(hubIds)]) : [new Map<string, number | undefined>(), new Map<string, Subject | undefined>()]
    const hubs: Record<string, HubStatus> = {}
    for (const [hub, at] of seen) hubs[hub] = { lastSeenAt: at }
    const loaded = new Map<string, Loaded>()
    const unknown: DeviceCommit[] = []
    for (const id of deviceIds) {
      const s = stored.get(id)!
      let subject = subjects.get(id)
      if (subject?.hub !== undefined && subject.hub !== subject.deviceId && hubSubjects.get(subject.hub)?.tenant !== subject.tenant) {
        // a hub that is not a registered device of the same tenant is no hub: never consult another tenant's device
        subject = { ...subject, hub: undefined }
      }
      if (!subject) {
        unknown.push({ deviceId: id, stored: s, output: newOutput(), remove: true })
        continue
      }
      const ctx: DeviceContext = { subject, rules: rulesOf(configs.get(subject.tenant)!, subject), hubs }
      loaded.set(id, { subject, ctx, commit: { deviceId: id, stored: s, output: newOutput() } })
    }
    return { loaded, unknown }
  }

  /**
   * Steps one device; when that throws (a kind re-arming a timer in a loop: device-run.ts), the
   * device's rule state is dropped rather than the partition retrying it for ever: its rules start
   * afresh with its next message, and the failure is logged and counted.
   */
  function guarded(commit: DeviceCommit, run: () => void): DeviceCommit {
    try {
      run()
      return commit
    } catch (err) {
      deps.metrics.rulesFailures.inc({ code: 'RULE_FAILED' })
      log.error({ code: 'RULE_FAILED', deviceId: commit.deviceId, err: (err as Error).message }, 'rules of a device failed; its rule state is dropped and starts afresh')
      return { deviceId: commit.deviceId, stored: commit.stored, output: newOutput(), remove: true }
    }
  }

  /** Raises, then resolves, what the steps decided; idempotent, so a re-run repeats nothing. */
  async function deliver(outputs: readonly DeviceRunOutput[]): Promise<void> {
    const wall = deps.now()
    for (const out of outputs) {
      for (const candidate of out.raise) {
        const alert = await deps.alerts.raise(candidate)
        if (alert) {
          deps.metrics.alertsRaised.inc({ rule: alert.rule, priority: alert.priority })
          log.info({ tenant: alert.tenant, alertId: alert.id, rule: alert.rule, priority: alert.priority, deviceId: alert.deviceId }, 'alert raised')
        }
      }
      for (const clear of out.clear) {
        const alert = await deps.alerts.resolve(clear.dedupeKey, clear.at)
        if (alert) {
          deps.metrics.alertsResolved.inc({ rule: alert.rule })
          log.info({ tenant: alert.tenant, alertId: alert.id, rule: alert.rule, deviceId: alert.deviceId }, 'alert resolved')
        }
      }
      for (const e of out.errors) {
        deps.metrics.rulesFailures.inc({ code: 'RULE_FAILED' })
        log.error({ code: 'RULE_FAILED', rule: e.ruleId, err: e.message }, 'rule failed; its state is kept as it was')
      }
      for (const fired of out.fired) deps.metrics.rulesTimerLateness.observe(Math.max(0, wall - fired.at) / 1000)
      deps.metrics.rulesTimersFired.inc(out.fired.length)
    }
  }

  /** The end of every job: history requested for rules that started, alerts delivered, state committed. */
  async function settle(loaded: ReadonlyMap<string, Loaded>, commits: readonly DeviceCommit[]): Promise<void> {
    const requests: HistoryRequestJob[] = []
    for (const c of commits) {
      const device = loaded.get(c.deviceId)
      if (c.remove || device === undefined) continue
      for (const { ruleId, request } of historyWanted(device.ctx, c.stored.state, c.output)) {
        requests.push({ tenant: device.subject.tenant, deviceId: c.deviceId, ruleId, request })
      }
    }
    await deps.requestHistory(requests)
    await deliver(commits.map((c) => c.output))
    await deps.states.commit(deps.partition, commits)
  }

  /** Runs `body` until it succeeds: Redis errors and state conflicts are retried in place. */
  async function inPlace(job: Job, body: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await body()
        return
      } catch (err) {
        if (err instanceof UnrecoverableError) throw err
        if (deps.closing()) throw err
        const code = (err as LookoutError).code
        if (code !== 'RULE_STATE_CONFLICT') log.warn({ jobId: job.id, attempt, err: (err as Error).message }, 'rule job failed; retrying in place')
        await new Promise((r) => setTimeout(r, code === 'RULE_STATE_CONFLICT' ? 0 : Math.min(100 * 2 ** (attempt - 1), RETRY_MAX_MS)))
      }
    }
  }

  async function processRecords(job: Job, records: readonly IngestRecord[]): Promise<void> {
    const jobNo = Number(job.id)
    const byDevice = new Map<string, IngestRecord[]>()
    for (const r of records) {
      const list = byDevice.get(r.deviceId)
      if (list) list.push(r)
      else byDevice.set(r.deviceId, [r])
    }
    await inPlace(job, async () => {
      const { loaded, unknown } = await load([...byDevice.keys()])
      const commits: DeviceCommit[] = []
      for (const u of unknown) deps.metrics.rulesSkipped.inc({ reason: 'unknown_device' }, byDevice.get(u.deviceId)!.length)
      for (const [id, { subject, ctx, commit }] of loaded) {
        const list = byDevice.get(id)!
        if (Number.isSafeInteger(jobNo) && commit.stored.lastJob >= jobNo) {
          // committed before the worker died, not yet marked complete: applied once already
          deps.metrics.rulesSkipped.inc({ reason: 'already_applied' }, list.length)
          continue
        }
        const done = guarded(commit, () => {
          for (const record of list) {
            if (record.tenant !== subject.tenant) {
              deps.metrics.rulesSkipped.inc({ reason: 'tenant_mismatch' })
              continue
            }
            runRecord(ctx, commit.stored.state, record, commit.output)
          }
        })
        commits.push(done.remove ? done : { ...done, job: Number.isSafeInteger(jobNo) ? jobNo : undefined })
      }
      await settle(loaded, commits)
    })
    deps.metrics.rulesEvaluated.inc(records.length)
  }

  async function processInit(job: Job, deviceIds: readonly string[], at: number): Promise<void> {
    for (const id of deviceIds) deps.subjects.forget(id)
    await inPlace(job, async () => {
      const { loaded } = await load([...new Set(deviceIds)])
      const commits: DeviceCommit[] = []
      for (const { ctx, commit } of loaded.values()) commits.push(guarded(commit, () => runInit(ctx, commit.stored.state, at, commit.output)))
      await settle(loaded, commits)
    })
  }

  async function processHistory(job: Job, answer: HistoryAnswerJob): Promise<void> {
    await inPlace(job, async () => {
      const { loaded } = await load([answer.deviceId])
      const device = loaded.get(answer.deviceId)
      if (!device) return
      const { ctx, commit } = device
      runHistory(ctx, commit.stored.state, answer.ruleId, answer.token, { periods: answer.periods }, commit.output)
      if (commit.output.changedStates.size === 0) return
      await deps.states.commit(deps.partition, [commit])
      deps.metrics.rulesHistory.inc({ outcome: 'applied' })
    })
  }

  const horizonOf = deps.tickHorizon ?? ((job: Job) => Math.min(deps.now(), job.timestamp + (job.opts.delay ?? 0)) - deps.timerGraceMs)

  async function processTick(job: Job): Promise<void> {
    const started = Date.now()
    const batch = deps.tickBatch ?? TICK_BATCH
    const now = horizonOf(job)
    for (;;) {
      let count = 0
      await inPlace(job, async () => {
        const due = await deps.states.dueDevices(deps.partition, now, batch)
        count = due.length
        if (due.length === 0) return
        const { loaded, unknown } = await load(due)
        const commits: DeviceCommit[] = [...unknown]
        for (const { ctx, commit } of loaded.values()) commits.push(guarded(commit, () => advanceTimers(ctx, commit.stored.state, now, commit.output)))
        await settle(loaded, commits)
      })
      if (count < batch || Date.now() - started > TICK_BUDGET_MS || deps.closing()) return
    }
  }

  return async function processRulesJob(job: Job): Promise<void> {
    switch (job.name) {
      case 'records': {
        const parsed = readRecordsJob(job.data)
        if (!parsed) break
        return processRecords(job, parsed.records)
      }
      case 'init': {
        const parsed = readInitJob(job.data)
        if (!parsed) break
        return processInit(job, parsed.deviceIds, parsed.at)
      }
      case 'tick':
        return processTick(job)
      case 'history': {
        const parsed = readHistoryAnswerJob(job.data)
        if (!parsed) break
        return processHistory(job, parsed)
      }
    }
    log.error({ jobId: job.id, name: job.name }, 'rules job has invalid data; dropped')
    throw new UnrecoverableError('JOB_INVALID')
  }
}
