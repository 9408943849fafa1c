/**
 * Part 2: many armed absence timers. See bench/rules.ts for what is measured and how.
 */
import { partitionOf } from '../../lib/records.ts'
import { INIT_JOB_MAX_DEVICES, JOB_NAME, RULES_JOB_OPTIONS } from '../../workers/jobs.ts'
import { createRulesStore } from '../../workers/rules-store.ts'
import { fmt, mib, progress } from '../ingest/common.ts'
import { Scope } from '../ingest/processes.ts'
import { round } from '../ingest/stats.ts'
import { cpuWindow, metricTotal, quantiles, registerDevices, startInstance } from './instance.ts'
import type { RulesBenchOptions } from './options.ts'

const LABEL = 'timers'
export const TIMER_TENANT = 'bench-timers'
const RULE_ID = 'bench-silent'
/** Init jobs' `at` steps: the due times are spread over the window in this many steps. */
const AT_STEPS = 1000
/** Devices armed per second assumed when choosing the interval (measured ~9,000/s with the enqueueing, on a busy 2-core machine; halved). */
const ASSUMED_INIT_PER_SECOND = 4000
/** With few devices per init job, the 4,000 jobs' own cost dominates (~5 s measured for 10,000 devices). */
const MIN_EXPECTED_INIT_MS = 10_000
/** The interval is a whole number of quarter minutes, so due times are whole milliseconds. */
const QUARTER_MINUTE_MS = 15_000
const POLL_MS = 200

function rulesYaml(intervalMinutes: number): string {
  return [
    `tenant: ${TIMER_TENANT}`,
    'packs: []',
    'rules:',
    `  - id: ${RULE_ID}`,
    '    kind: absence',
    '    title: Bench sensor silent',
    '    description: One absence timer per device, armed at registration (benchmark).',
    '    priority: P3',
    '    appliesTo: { deviceTypes: [environment-sensor] }',
    `    params: { expectedIntervalMinutes: ${intervalMinutes}, missingFactor: 1 }`,
    '',
  ].join('\n')
}

export async function runTimersPart(options: RulesBenchOptions, dir: string) {
  const scope = new Scope()
  try {
    const instance = await startInstance(scope, dir, LABEL, options.partitions)
    const { config, redis } = instance
    const redisPid = instance.redisServer.pid
    const n = options.timers
    const windowMs = options.timerWindowSeconds * 1000

    // The absence timer is due at `at` + interval. Init jobs are enqueued from A on, with `at`
    // from A to A + window; the interval is chosen so the first due time falls `lead` after the
    // init jobs are expected to be done (at ASSUMED_INIT_PER_SECOND). The real slack is reported.
    const expectedInitMs = Math.max(MIN_EXPECTED_INIT_MS, (n / ASSUMED_INIT_PER_SECOND) * 1000)
    const intervalMs = Math.ceil((expectedInitMs + options.timerLeadSeconds * 1000) / QUARTER_MINUTE_MS) * QUARTER_MINUTE_MS
    const intervalMinutes = intervalMs / 60_000
    const rules = createRulesStore(redis, config.keyPrefix)
    await rules.set(TIMER_TENANT, rulesYaml(intervalMinutes), 'bench-rules.yaml', Date.now())

    const memEmpty = await instance.usedMemory()
    const ids = Array.from({ length: n }, (_, i) => `bench-timer-${i}`)
    progress(LABEL, `registering ${fmt(n)} devices, ${options.registerConcurrency} addDevice calls in flight`, 'rules')
    const registerSeconds = await registerDevices(
      instance.registry,
      ids.map((deviceId) => ({ deviceId, tenant: TIMER_TENANT, type: 'environment-sensor' })),
      options.registerConcurrency,
      LABEL,
    )
    const memRegistered = await instance.usedMemory()

    // init jobs as enqueueRuleInit makes them ({ deviceIds, at }, at most 1,000 devices, per
    // partition), added straight to the queues: enqueueRuleInit opens and closes a Queue per
    // partition per call, ~7 ms, which for 1,000 steps would hold the arming back by seconds
    progress(LABEL, `arming: init jobs with "at" spread over ${options.timerWindowSeconds} s, interval ${intervalMinutes} min`, 'rules')
    const initStarted = performance.now()
    const a = Date.now()
    const steps = Math.min(AT_STEPS, n)
    for (let s = 0; s < steps; s++) {
      const at = a + Math.floor((s * windowMs) / steps)
      const byPartition = new Map<number, string[]>()
      for (const id of ids.slice(Math.floor((s * n) / steps), Math.floor(((s + 1) * n) / steps))) {
        const p = partitionOf(id, config.rulePartitions)
        byPartition.set(p, [...(byPartition.get(p) ?? []), id])
      }
      const adds: Promise<unknown>[] = []
      for (const [p, list] of byPartition) {
        for (let i = 0; i < list.length; i += INIT_JOB_MAX_DEVICES) {
          adds.push(instance.queues[p]!.add(JOB_NAME.init, { deviceIds: list.slice(i, i + INIT_JOB_MAX_DEVICES), at }, RULES_JOB_OPTIONS))
        }
      }
      await Promise.all(adds)
    }
    const initEnqueueSeconds = (performance.now() - initStarted) / 1000
    await instance.waitIdle(LABEL, 'init jobs', 600_000)
    const armedAt = Date.now()
    const initSeconds = (performance.now() - initStarted) / 1000
    const memArmed = await instance.usedMemory()
    const timerIndexes = Array.from({ length: config.rulePartitions }, (_, p) => `${config.keyPrefix}:timers:p${p}`)
    const armed = (await Promise.all(timerIndexes.map((k) => redis.zcard(k)))).reduce((x, y) => x + y, 0)
    const usage = async (key: string) => (await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? NaN
    const sample = {
      ruleStateHashBytes: await usage(`${config.keyPrefix}:rs:${ids[0]}`),
      registryDeviceHashBytes: await usage(`${config.keyPrefix}:device:${ids[0]}`),
      timerIndexBytesPerEntry: Math.round((await Promise.all(timerIndexes.map(usage))).reduce((x, y) => x + y, 0) / Math.max(1, armed)),
    }
    const firstDue = a + intervalMs
    const lastDue = a + Math.floor(((steps - 1) * windowMs) / steps) + intervalMs
    const slackSeconds = (firstDue - armedAt) / 1000
    if (slackSeconds < 0) progress(LABEL, `warning: the first timers were due ${-slackSeconds} s before arming finished; their lateness includes the init backlog (raise --timer-lead)`, 'rules')
    else progress(LABEL, `${fmt(armed)} timers armed in ${round(initSeconds)} s; first due in ${round(slackSeconds)} s, last in ${round((lastDue - Date.now()) / 1000)} s`, 'rules')

    // nothing is due before firstDue: wait for it (the CPU window covers the firing only); the
    // wait gives the idle cost (ticks finding nothing due, the benchmark's polling)
    const idleCpu = cpuWindow(redisPid)
    while (Date.now() < firstDue - 500) {
      await new Promise((r) => setTimeout(r, Math.min(3000, firstDue - 500 - Date.now())))
      if (Date.now() < firstDue - 500) progress(LABEL, `first timers due in ${Math.round((firstDue - Date.now()) / 1000)} s`, 'rules')
    }
    // --- fire: read the alert stream from its start, every POLL_MS -------------------------------
    const latenessMs: number[] = []
    const seen = new Set<string>()
    let lastId = '0-0'
    let other = 0
    let maxEntriesPerRead = 0
    const before = { fired: await metricTotal(instance.lookout.metrics.rulesTimersFired), raised: await metricTotal(instance.lookout.metrics.alertsRaised) }
    const idle = idleCpu.stop(1)
    /** CPU µs per timer fired, less the idle rate over the same time. */
    const aboveIdle = (seconds: number, idleSeconds: number) =>
      round(((seconds - (idle.raw.wall > 0 ? (idleSeconds / idle.raw.wall) * cpuUse.raw.wall : 0)) * 1e6) / Math.max(1, seen.size), 1)
    const cpu = cpuWindow(redisPid)
    const deadline = lastDue + 180_000
    let lastPrint = Date.now()
    let firstWrite = Infinity
    let lastWrite = 0
    while (seen.size < n && Date.now() < deadline) {
      let entries = 0
      for (;;) {
        const events = await instance.alerts.eventsAfter(TIMER_TENANT, lastId, 5000)
        entries += events.length
        for (const e of events) {
          lastId = e.id
          if (e.type !== 'alert.raised' || e.alert.rule !== RULE_ID) {
            other++
            continue
          }
          if (seen.has(e.alert.id)) continue
          seen.add(e.alert.id)
          const written = Number(e.id.slice(0, e.id.indexOf('-')))
          firstWrite = Math.min(firstWrite, written)
          lastWrite = Math.max(lastWrite, written)
          latenessMs.push(written - Date.parse(e.alert.raisedAt))
        }
        if (events.length < 5000) break
      }
      maxEntriesPerRead = Math.max(maxEntriesPerRead, entries)
      if (Date.now() - lastPrint >= 3000) {
        lastPrint = Date.now()
        const recent = quantiles(latenessMs.slice(-2000))
        progress(LABEL, `${fmt(seen.size)} of ${fmt(n)} alerts raised${recent ? ` (last 2,000: lateness p50 ${recent.p50} ms, p99 ${recent.p99} ms)` : ''}`, 'rules')
      }
      if (seen.size < n) await new Promise((r) => setTimeout(r, POLL_MS))
    }
    const cpuUse = cpu.stop(Math.max(1, seen.size))
    const indexed = await redis.zcard(`${config.keyPrefix}:alerts:${TIMER_TENANT}`)
    const memFired = await instance.usedMemory()
    const metrics = instance.lookout.metrics
    const { values } = await metrics.rulesTimerLateness.get()
    const buckets = Object.fromEntries(
      values.filter((v) => v.metricName === 'lookout_rules_timer_lateness_seconds_bucket').map((v) => [`le ${v.labels.le}`, v.value]),
    )
    const histogramSum = values.find((v) => v.metricName === 'lookout_rules_timer_lateness_seconds_sum')?.value ?? NaN
    const histogramCount = values.find((v) => v.metricName === 'lookout_rules_timer_lateness_seconds_count')?.value ?? NaN
    const left = await Promise.all(timerIndexes.map((k) => redis.zcard(k)))

    return {
      rule: { kind: 'absence', expectedIntervalMinutes: intervalMinutes, missingFactor: 1, criticalFactor: null, packs: [], deviceType: 'environment-sensor' },
      timers: n,
      ruleTickMs: config.ruleTickMs,
      ruleTimerGraceMs: config.ruleTimerGraceMs,
      setup: {
        registerSeconds: round(registerSeconds),
        registerPerSecond: Math.round(n / registerSeconds),
        initJobsEnqueueSeconds: round(initEnqueueSeconds),
        armSeconds: round(initSeconds),
        armedPerSecond: Math.round(n / initSeconds),
        armed,
        dueWindowSeconds: options.timerWindowSeconds,
        firstDueAfterArmedSeconds: round(slackSeconds),
      },
      redisMemory: {
        beforeDevicesMiB: mib(memEmpty),
        afterRegistrationMiB: mib(memRegistered),
        afterArmingMiB: mib(memArmed),
        afterAlertsMiB: mib(memFired),
        registryBytesPerDevice: Math.round((memRegistered - memEmpty) / n),
        /** Rule state hash + timer index entry (+ what the init jobs left, e.g. queue event streams). */
        bytesPerArmedTimer: Math.round((memArmed - memRegistered) / n),
        bytesPerRaisedAlert: Math.round((memFired - memArmed) / Math.max(1, seen.size)),
        sampleKeys: sample,
      },
      firing: {
        fired: seen.size,
        complete: seen.size === n,
        alertIndexCount: indexed,
        otherStreamEntries: other,
        maxStreamEntriesPerRead: maxEntriesPerRead,
        timersLeftArmed: left.reduce((x, y) => x + y, 0),
        firstAlertWrittenAfterFirstDueSeconds: round((firstWrite - firstDue) / 1000),
        lastAlertWrittenAfterLastDueSeconds: round((lastWrite - lastDue) / 1000),
        alertsPerSecond: Math.round(seen.size / Math.max(0.001, (lastWrite - firstWrite) / 1000)),
        latenessMs: quantiles(latenessMs, 0),
        /** Lateness less LOOKOUT_RULE_TIMER_GRACE_MS (a tick fires what was due by its scheduled time less the grace): the tick phase plus the work. */
        latenessBeyondGraceMs: quantiles(latenessMs.map((ms) => ms - config.ruleTimerGraceMs), 0),
        cpu: {
          ...(({ benchProcessUsPer, redisServerUsPer, raw: _, ...rest }) => ({ ...rest, benchProcessUsPerTimer: benchProcessUsPer, redisServerUsPerTimer: redisServerUsPer }))(cpuUse),
          /** While nothing was due (the wait before the first): ticks finding nothing, the benchmark's polling. */
          idle: { benchProcessCores: idle.benchProcessCores, redisServerCores: idle.redisServerCores, otherProcessesCores: idle.otherProcessesCores },
          /** Less that idle cost over the firing window: what firing a timer costs. */
          benchProcessUsPerTimerAboveIdle: aboveIdle(cpuUse.raw.bench, idle.raw.bench),
          redisServerUsPerTimerAboveIdle: aboveIdle(cpuUse.raw.redis, idle.raw.redis),
        },
        counters: {
          timersFired: (await metricTotal(metrics.rulesTimersFired)) - before.fired,
          alertsRaised: (await metricTotal(metrics.alertsRaised)) - before.raised,
          failures: await metricTotal(metrics.rulesFailures),
        },
      },
      latenessHistogram: {
        metric: 'lookout_rules_timer_lateness_seconds (the instance registry: wall clock when the job delivers, minus due)',
        count: histogramCount,
        meanSeconds: round(histogramSum / histogramCount, 3),
        cumulativeBuckets: buckets,
      },
      lookoutLog: await instance.logSummary(),
    }
  } finally {
    await scope.close()
  }
}
