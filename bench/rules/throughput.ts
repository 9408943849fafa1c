/**
 * Part 1: rule throughput with the full catalogue (default packs: every shipped rule) over a mixed
 * fleet (fleet.ts). See bench/rules.ts for what is measured.
 */
import { partitionOf, type IngestRecord } from '../../lib/records.ts'
import { JOB_NAME, RULES_JOB_OPTIONS } from '../../workers/jobs.ts'
import { enqueueRuleInit } from '../../workers/queues.ts'
import { fmt, mib, progress } from '../ingest/common.ts'
import { Scope } from '../ingest/processes.ts'
import { round } from '../ingest/stats.ts'
import { evaluationsOf, makeFleet, MIX, recordsOf, TENANTS, type Fleet } from './fleet.ts'
import { cpuWindow, jobDurations, metricTotal, numericJobId, quantiles, registerDevices, startInstance, type Instance } from './instance.ts'
import type { RulesBenchOptions } from './options.ts'

const LABEL = 'throughput'

function perRecord(cpu: ReturnType<ReturnType<typeof cpuWindow>['stop']>) {
  const { benchProcessUsPer, redisServerUsPer, raw: _, ...rest } = cpu
  return { ...rest, benchProcessUsPerRecord: benchProcessUsPer, redisServerUsPerRecord: redisServerUsPer }
}

/** Adds records as ingest does: batches of `batch`, each split into one `records` job per partition, one batch at a time. */
async function enqueueRecords(instance: Instance, fleet: Fleet, options: RulesBenchOptions, t0: number, from: number, to: number) {
  let generateMs = 0
  let jobs = 0
  const perPartition = new Array<number>(instance.queues.length).fill(0)
  const started = performance.now()
  let lastPrint = started
  for (let first = from; first < to; first += options.batch) {
    const g = performance.now()
    const records = recordsOf(fleet, t0, options.reportSeconds * 1000, first, Math.min(to, first + options.batch))
    const byPartition = new Map<number, IngestRecord[]>()
    for (const r of records) {
      const p = partitionOf(r.deviceId, instance.queues.length)
      const list = byPartition.get(p)
      if (list) list.push(r)
      else byPartition.set(p, [r])
    }
    generateMs += performance.now() - g
    await Promise.all([...byPartition].map(([p, list]) => instance.queues[p]!.add(JOB_NAME.records, { records: list }, RULES_JOB_OPTIONS)))
    for (const [p, list] of byPartition) perPartition[p]! += list.length
    jobs += byPartition.size
    if (performance.now() - lastPrint >= 3000) {
      lastPrint = performance.now()
      progress(LABEL, `enqueued ${fmt(first + records.length - from)} of ${fmt(to - from)} records`, 'rules')
    }
  }
  const seconds = (performance.now() - started) / 1000
  return { seconds, generateSeconds: generateMs / 1000, jobs, perPartition }
}

async function counters(instance: Instance) {
  const m = instance.lookout.metrics
  return {
    evaluated: await metricTotal(m.rulesEvaluated),
    raised: await metricTotal(m.alertsRaised),
    resolved: await metricTotal(m.alertsResolved),
    timersFired: await metricTotal(m.rulesTimersFired),
    failures: await metricTotal(m.rulesFailures),
    skipped: await metricTotal(m.rulesSkipped),
  }
}

type Counters = Awaited<ReturnType<typeof counters>>
const delta = (a: Counters, b: Counters) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v - a[k as keyof Counters]])) as Counters

/** Waits until the workers have evaluated `target` more records than `base`; progress every 3 s. */
async function drained(instance: Instance, base: number, target: number, deadline: number): Promise<number> {
  let lastPrint = performance.now()
  let lastCount = 0
  for (;;) {
    const done = (await metricTotal(instance.lookout.metrics.rulesEvaluated)) - base
    if (done >= target) return performance.now()
    if (performance.now() - lastPrint >= 3000) {
      const { failed } = await instance.pendingJobs()
      if (failed > 0) throw new Error(`${failed} rule jobs failed (see ${instance.logFile})`)
      progress(LABEL, `evaluated ${fmt(done)} of ${fmt(target)} records (${fmt(((done - lastCount) * 1000) / (performance.now() - lastPrint))}/s)`, 'rules')
      lastPrint = performance.now()
      lastCount = done
    }
    if (performance.now() > deadline) throw new Error(`records not evaluated in time: ${done} of ${target}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The alerts raised in the part, by rule (from the per-instance counter). */
async function alertsByRule(instance: Instance): Promise<Record<string, number>> {
  const { values } = await instance.lookout.metrics.alertsRaised.get()
  const out: Record<string, number> = {}
  for (const v of values) {
    const rule = String(v.labels.rule)
    out[rule] = (out[rule] ?? 0) + v.value
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]))
}

export async function runThroughputPart(options: RulesBenchOptions, dir: string) {
  const scope = new Scope()
  try {
    const instance = await startInstance(scope, dir, LABEL, options.partitions)
    const redisPid = instance.redisServer.pid
    const memEmpty = await instance.usedMemory()

    const fleet = makeFleet(options.devices)
    progress(LABEL, `registering ${fmt(options.devices)} devices (${Object.keys(MIX).length} types, ${TENANTS.length} tenants, default packs)`, 'rules')
    const registerSeconds = await registerDevices(instance.registry, fleet.registrations, options.registerConcurrency, LABEL)
    const t0 = Date.now()
    const initStarted = performance.now()
    await enqueueRuleInit({ connection: instance.queueConnection, keyPrefix: instance.config.keyPrefix, partitions: instance.config.rulePartitions }, fleet.devices.map((d) => d.deviceId), t0)
    await instance.waitIdle(LABEL, 'init jobs', 300_000)
    const initSeconds = (performance.now() - initStarted) / 1000
    const memRegistered = await instance.usedMemory()

    // --- run 1: everything queued first (workers paused), then the drain is timed ----------------
    const r1 = { from: 0, to: options.records }
    await Promise.all(instance.queues.map((q) => q.pause()))
    progress(LABEL, `run 1: enqueueing ${fmt(options.records)} records with the rule queues paused`, 'rules')
    const enqueue1 = await enqueueRecords(instance, fleet, options, t0, r1.from, r1.to)
    const memQueued = await instance.usedMemory()
    const before1 = await counters(instance)
    const cpu1 = cpuWindow(redisPid)
    const streamFrom1 = Date.now() - 1
    progress(LABEL, `run 1: ${fmt(enqueue1.jobs)} jobs queued; resuming the workers`, 'rules')
    const start1 = performance.now()
    await Promise.all(instance.queues.map((q) => q.resume()))
    const end1 = await drained(instance, before1.evaluated, options.records, performance.now() + 600_000)
    const cpuUse1 = cpu1.stop(options.records)
    const after1 = await counters(instance)
    const drainSeconds = (end1 - start1) / 1000
    const durations1 = await jobDurations(instance, streamFrom1, numericJobId)
    const memAfter1 = await instance.usedMemory()
    const evaluations1 = evaluationsOf(fleet, r1.from, r1.to)
    const c1 = delta(before1, after1)

    // --- run 2: enqueue and processing overlap (as under live ingest) ---------------------------
    let overlap = null
    if (options.overlapRecords > 0) {
      const r2 = { from: r1.to, to: r1.to + options.overlapRecords }
      progress(LABEL, `run 2: enqueueing ${fmt(options.overlapRecords)} records while the workers process them`, 'rules')
      const before2 = await counters(instance)
      const cpu2 = cpuWindow(redisPid)
      const streamFrom2 = Date.now() - 1
      const start2 = performance.now()
      const enqueue2 = await enqueueRecords(instance, fleet, options, t0, r2.from, r2.to)
      const backlogAtEnqueueEnd = options.overlapRecords - ((await metricTotal(instance.lookout.metrics.rulesEvaluated)) - before2.evaluated)
      const end2 = await drained(instance, before2.evaluated, options.overlapRecords, performance.now() + 600_000)
      const cpuUse2 = cpu2.stop(options.overlapRecords)
      const c2 = delta(before2, await counters(instance))
      const seconds = (end2 - start2) / 1000
      const durations2 = await jobDurations(instance, streamFrom2, numericJobId)
      const evaluations2 = evaluationsOf(fleet, r2.from, r2.to)
      overlap = {
        records: options.overlapRecords,
        jobs: enqueue2.jobs,
        firstEnqueueToDrainedSeconds: round(seconds),
        recordsPerSecond: Math.round(options.overlapRecords / seconds),
        ruleEvaluationsPerSecond: Math.round(evaluations2 / seconds),
        enqueue: { seconds: round(enqueue2.seconds), recordsPerSecond: Math.round(options.overlapRecords / enqueue2.seconds) },
        recordsNotYetEvaluatedWhenEnqueueEnded: backlogAtEnqueueEnd,
        cpu: perRecord(cpuUse2),
        jobDurationMs: quantiles(durations2, 1),
        alertsRaised: c2.raised,
        alertsResolved: c2.resolved,
        timersFired: c2.timersFired,
        failures: c2.failures,
        skipped: c2.skipped,
      }
    }

    const jobs = await instance.pendingJobs()
    const perDevice = options.records / options.devices
    return {
      fleet: {
        devices: options.devices,
        tenants: TENANTS.length,
        byType: fleet.byType,
        rulesPerDevice: { mean: round(fleet.rulesPerDevice.reduce((a, b) => a + b, 0) / fleet.rulesPerDevice.length), max: Math.max(...fleet.rulesPerDevice) },
        recordsPerDevice: round(perDevice),
        simulatedSecondsBetweenReports: options.reportSeconds,
        simulatedFleetHours: round((perDevice * options.reportSeconds) / 3600),
      },
      setup: {
        registerSeconds: round(registerSeconds),
        initSeconds: round(initSeconds),
      },
      drain: {
        method: 'records jobs added straight to the rules-p<N> queues while paused (no store jobs, no InfluxDB), then resumed; timed from resume until lookout_rules_records_evaluated_total has counted every record',
        records: options.records,
        jobs: enqueue1.jobs,
        recordsPerJob: round(options.records / enqueue1.jobs),
        recordsPerPartition: enqueue1.perPartition,
        seconds: round(drainSeconds),
        recordsPerSecond: Math.round(options.records / drainSeconds),
        ruleEvaluations: evaluations1,
        ruleEvaluationsPerSecond: Math.round(evaluations1 / drainSeconds),
        cpu: { ...perRecord(cpuUse1), benchProcessUsPerRuleEvaluation: round(((cpuUse1.benchProcessSeconds ?? NaN) * 1e6) / evaluations1, 2) },
        jobDurationMs: quantiles(durations1, 1),
        alertsRaised: c1.raised,
        alertsResolved: c1.resolved,
        timersFired: c1.timersFired,
        failures: c1.failures,
        skipped: c1.skipped,
      },
      enqueue: {
        method: 'one batch at a time, its per-partition jobs added in parallel (as ingest), on one connection; generating the records is included',
        seconds: round(enqueue1.seconds),
        generateSeconds: round(enqueue1.generateSeconds),
        recordsPerSecond: Math.round(options.records / enqueue1.seconds),
        jobsPerSecond: Math.round(enqueue1.jobs / enqueue1.seconds),
      },
      overlap,
      alertsByRule: await alertsByRule(instance),
      redisMemory: {
        emptyMiB: mib(memEmpty),
        registeredAndInitialisedMiB: mib(memRegistered),
        withRun1QueuedMiB: mib(memQueued),
        bytesPerQueuedRecord: Math.round((memQueued - memRegistered) / options.records),
        afterRun1MiB: mib(memAfter1),
        /** Registry + rule state + alerts + queue bookkeeping, per device, after run 1. */
        bytesPerDeviceAfterRun1: Math.round((memAfter1 - memEmpty) / options.devices),
      },
      failedJobs: jobs.failed,
      lookoutLog: await instance.logSummary(),
    }
  } finally {
    await scope.close()
  }
}
