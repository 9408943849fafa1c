/**
 * Part 3: reading a starting personal baseline's history from InfluxDB (R15, the
 * `rules-history` job: workers/history-worker.ts). See bench/rules.ts for what is measured and how.
 */
import path from 'node:path'
import type { Job } from 'bullmq'
import { pino } from 'pino'
import { createInfluxClient, type InfluxClient, type InfluxSeries } from '../../lib/influx.ts'
import { createLogger } from '../../lib/logger.ts'
import { createMetrics } from '../../lib/metrics.ts'
import { findFreePort, startInfluxd } from '../../app/services/index.ts'
import { RESPONDER_RULES } from '../../rules/catalogue/index.ts'
import type { HistoryRequest, Subject } from '../../rules/engine/types.ts'
import { baselineKind, type BaselineParams } from '../../rules/kinds/baseline.ts'
import { baselineHistory } from '../../rules/kinds/baseline-history.ts'
import { historyRequestJobId, JOB_NAME, readHistoryAnswerJob, type HistoryAnswerJob, type HistoryRequestJob } from '../../workers/jobs.ts'
import { createHistoryProcessor } from '../../workers/history-worker.ts'
import { binaries, fmt, pinoLogSummary, progress } from '../ingest/common.ts'
import { cpuSecondsOf, Scope } from '../ingest/processes.ts'
import { round } from '../ingest/stats.ts'
import { quantiles } from './instance.ts'
import { DATA_FROM, DAY_MOTION, deviceIdOf, HISTORY_TENANT, NIGHTS, NOW, OFFLINE_EVERY, SITE, TRIGGERS_PER_VISIT, VISITS, WRITE_BATCH_LINES, WRITES_IN_FLIGHT, writeHistory, ZONE } from './history-data.ts'
import type { RulesBenchOptions } from './options.ts'

const LABEL = 'history'
const DATABASE = 'lookout'
const RULE_ID = 'R15'
/** As workers/index.ts HISTORY_CONCURRENCY. */
const READ_CONCURRENCY = 2
const SINGLE_READ_DEVICES = 50
async function countOf(influx: InfluxClient, influxql: string): Promise<number> {
  const series = await influx.query(influxql)
  return Number(series[0]?.values[0]?.[1] ?? 0)
}

interface ReadStats {
  latencyMs: number[]
  queryMs: number[]
  statements: number[]
  bodyBytes: number[]
  matchingEvents: number[]
}

/** An InfluxDB client whose queryAll is timed (the rest is the processor: validation, summary, delivery). */
function timedClient(influx: InfluxClient, stats: ReadStats): InfluxClient {
  return {
    ...influx,
    async queryAll(statements) {
      const started = performance.now()
      const results = await influx.queryAll(statements)
      stats.queryMs.push(performance.now() - started)
      stats.statements.push(statements.length)
      stats.bodyBytes.push(new URLSearchParams({ db: influx.database, q: statements.join(';\n'), epoch: 'ms' }).toString().length)
      stats.matchingEvents.push((results[0] ?? []).reduce((n: number, s: InfluxSeries) => n + s.values.length, 0))
      return results
    },
  }
}

const mean = (values: readonly number[]) => (values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length, 1))

export async function runHistoryPart(options: RulesBenchOptions, dir: string) {
  const scope = new Scope()
  try {
    const rule = RESPONDER_RULES.find((r) => r.id === RULE_ID)
    if (!rule) throw new Error(`${RULE_ID} is not in the responder pack`)
    const params: BaselineParams = baselineKind.params.parse(rule.params)
    const n = options.historyDevices

    const log = createLogger('warn', 'stderr')
    progress(LABEL, 'starting influxd', 'rules')
    const influxd = await startInfluxd({ binary: await binaries.influxd(log), dir: path.join(dir, 'influx'), httpPort: await findFreePort(), rpcPort: await findFreePort() })
    scope.defer('influxd', () => influxd.stop())
    // the benchmark's own client (writes, counts); the processor gets a client as Lookout makes it (default timeout)
    const setup = createInfluxClient({ url: influxd.url, database: DATABASE, timeoutMs: 60_000 })
    await setup.ensureDatabase()

    progress(LABEL, `writing ${NIGHTS} nights of history for ${fmt(n)} motion sensors (${WRITE_BATCH_LINES} lines a write, ${WRITES_IN_FLIGHT} in flight)`, 'rules')
    const written = await writeHistory(setup, n)
    const tenant = `"tenant"::tag = '${HISTORY_TENANT}'`
    const stored = {
      events: await countOf(setup, `SELECT count("value") FROM "events" WHERE ${tenant}`),
      telemetry: await countOf(setup, `SELECT count("battery") FROM "telemetry" WHERE ${tenant}`),
    }
    const expectedEvents = written.totals.motion + written.totals.heartbeats
    if (stored.events !== expectedEvents || stored.telemetry !== written.totals.telemetry) {
      throw new Error(`InfluxDB holds ${stored.events} events and ${stored.telemetry} telemetry points of ${HISTORY_TENANT}; ${expectedEvents} and ${written.totals.telemetry} were written`)
    }
    progress(LABEL, `${fmt(written.totals.points)} points written in ${round(written.seconds)} s (${fmt(written.totals.points / written.seconds)}/s), all found`, 'rules')

    // --- the requests, as a fresh R15 state makes them --------------------------------------------
    const jobs: HistoryRequestJob[] = []
    for (let i = 0; i < n; i++) {
      const subject: Subject = { tenant: HISTORY_TENANT, deviceId: deviceIdOf(i), deviceType: 'motion-sensor', site: SITE, timeZone: ZONE }
      const request: HistoryRequest | undefined = baselineHistory.wanted(baselineKind.init(params, subject, NOW).state, params, subject)
      if (!request) throw new Error(`a fresh ${RULE_ID} state asked for no history`)
      jobs.push({ tenant: HISTORY_TENANT, deviceId: subject.deviceId, ruleId: RULE_ID, request: { ...request, eventTypes: [...request.eventTypes], periods: [...request.periods] } })
    }
    const periodsRequested = jobs[0]!.request.periods.length

    // --- the processor, called directly (no queue) -------------------------------------------------
    const logFile = path.join(dir, 'history-worker.log')
    const destination = pino.destination({ dest: logFile, sync: false, mkdir: true })
    scope.defer('history log', async () => {
      destination.flushSync()
      destination.end()
    })
    const metrics = createMetrics({ defaultMetrics: false })
    const answers = new Map<string, HistoryAnswerJob>()
    const processorFor = (stats: ReadStats) =>
      createHistoryProcessor({
        influx: timedClient(createInfluxClient({ url: influxd.url, database: DATABASE }), stats),
        deliver: async (answer) => {
          answers.set(answer.deviceId, answer)
        },
        storeBehind: async () => false,
        metrics,
        log: createLogger('warn', destination),
      })

    async function readAll(indexes: readonly number[], concurrency: number, what: string) {
      const stats: ReadStats = { latencyMs: [], queryMs: [], statements: [], bodyBytes: [], matchingEvents: [] }
      const process_ = processorFor(stats)
      let next = 0
      let done = 0
      let lastPrint = performance.now()
      const cpu = { bench: process.cpuUsage(), influxd: cpuSecondsOf(influxd.pid) }
      const started = performance.now()
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let k = next++; k < indexes.length; k = next++) {
            const i = indexes[k]!
            const job = { id: historyRequestJobId(jobs[i]!), name: JOB_NAME.historyRequest, data: jobs[i], attemptsMade: 0 } as unknown as Job
            const t = performance.now()
            await process_(job)
            stats.latencyMs.push(performance.now() - t)
            done++
            if (performance.now() - lastPrint >= 3000) {
              lastPrint = performance.now()
              progress(LABEL, `${what}: ${fmt(done)} of ${fmt(indexes.length)} reads`, 'rules')
            }
          }
        }),
      )
      const seconds = (performance.now() - started) / 1000
      const benchCpu = process.cpuUsage(cpu.bench)
      const influxdCpu = cpuSecondsOf(influxd.pid) - cpu.influxd
      return {
        concurrency,
        reads: indexes.length,
        seconds: round(seconds),
        readsPerSecond: round(indexes.length / seconds, 1),
        latencyMs: quantiles(stats.latencyMs, 2),
        /** The queryAll call alone (one HTTP request with every statement, JSON parsed). */
        influxQueryMs: quantiles(stats.queryMs, 2),
        statementsPerRead: mean(stats.statements),
        requestBodyBytes: mean(stats.bodyBytes),
        matchingEventsPerRead: mean(stats.matchingEvents),
        cpu: {
          benchProcessMsPerRead: round(((benchCpu.user + benchCpu.system) / 1000) / indexes.length, 2),
          influxdMsPerRead: round((influxdCpu * 1000) / indexes.length, 2),
          benchProcessCores: round((benchCpu.user + benchCpu.system) / 1e6 / seconds),
          influxdCores: round(influxdCpu / seconds),
        },
      }
    }

    /** Every answer: 28 periods, each with the episodes and activity the device's stored nights give. */
    function verify(indexes: readonly number[]) {
      const wrong: string[] = []
      let periods = 0
      let episodes = 0
      let inactive = 0
      let inside = 0
      for (const i of indexes) {
        const deviceId = deviceIdOf(i)
        const answer = answers.get(deviceId)
        const request = jobs[i]!.request
        if (!answer) {
          wrong.push(`${deviceId}: no answer delivered`)
          continue
        }
        if (!readHistoryAnswerJob(answer)) wrong.push(`${deviceId}: the answer does not parse as a history job`)
        if (answer.ruleId !== RULE_ID || answer.token !== NOW) wrong.push(`${deviceId}: answer for ${answer.ruleId}/${answer.token}`)
        if (answer.periods.length !== periodsRequested || request.periods.length !== periodsRequested) {
          wrong.push(`${deviceId}: ${answer.periods.length} periods answered, ${request.periods.length} asked for, ${periodsRequested} expected`)
          continue
        }
        const nights = written.expected[i]!
        request.periods.forEach((period, p) => {
          const night = nights.get(period.start)
          const got = answer.periods[p]!
          periods++
          episodes += got.episodes
          if (!got.active) inactive++
          if (!night || night.end !== period.end) {
            wrong.push(`${deviceId}: period ${new Date(period.start).toISOString()}-${new Date(period.end).toISOString()} is not a stored night`)
            return
          }
          inside += night.visits * TRIGGERS_PER_VISIT
          if (got.episodes !== night.visits || got.active !== !night.offline) {
            wrong.push(`${deviceId} night of ${new Date(period.start).toISOString()}: ${got.episodes} episodes (active ${got.active}), expected ${night.visits} (active ${!night.offline})`)
          }
        })
      }
      if (wrong.length > 0) throw new Error(`history answers are wrong (${wrong.length}):\n  ${wrong.slice(0, 10).join('\n  ')}`)
      return {
        answers: indexes.length,
        periodsEach: periodsRequested,
        periodsChecked: periods,
        episodes,
        inactivePeriods: inactive,
        mismatches: 0,
        /** Motion events inside the requested nights (the rest of matchingEventsPerRead is daytime motion between them, which the first SELECT's single time range also returns). */
        matchingEventsInsidePeriodsPerRead: round(inside / Math.max(1, indexes.length), 1),
      }
    }

    const all = Array.from({ length: n }, (_, i) => i)
    progress(LABEL, `reading: ${fmt(n)} reads of ${periodsRequested} nights, ${READ_CONCURRENCY} at a time`, 'rules')
    const main = await readAll(all, READ_CONCURRENCY, 'reading')
    const mainVerified = verify(all)
    progress(LABEL, `${main.readsPerSecond} reads/s, p50 ${main.latencyMs?.p50} ms, p99 ${main.latencyMs?.p99} ms; every answer as stored`, 'rules')

    const singles = all.slice(0, Math.min(SINGLE_READ_DEVICES, n))
    answers.clear()
    progress(LABEL, `single reads: ${singles.length} devices, one at a time`, 'rules')
    const single = await readAll(singles, 1, 'single reads')
    const singleVerified = verify(singles)

    return {
      rule: {
        id: RULE_ID,
        pack: 'responder',
        window: params.window,
        mergeWithinMinutes: params.mergeWithinMinutes,
        historyDays: params.historyDays,
        periodsRequested,
        eventTypes: params.match.eventTypes,
      },
      queueOverhead:
        'not included: createHistoryProcessor is called directly with a Job-shaped object (no BullMQ, no Redis; storeBehind answers false at once, deliver keeps the answer in memory). A BullMQ job costs ~150 µs more (measured elsewhere); in service storeBehind adds one Redis call and deliver one job add.',
      data: {
        tenant: HISTORY_TENANT,
        timeZone: ZONE,
        devices: n,
        nightsStored: NIGHTS,
        from: new Date(DATA_FROM).toISOString(),
        requestsAt: new Date(NOW).toISOString(),
        perDevice: {
          nightVisits: `${VISITS.join('/')} drawn per night, ${TRIGGERS_PER_VISIT} PIR triggers 30-90 s apart each`,
          daytimeMotionPerDay: `${DAY_MOTION.min}-${DAY_MOTION.min + DAY_MOTION.spread - 1} (07:00-22:00)`,
          heartbeats: 'status.heartbeat every hour',
          telemetry: 'battery once a day',
          offline: `every ${OFFLINE_EVERY}th device sends nothing from 21:00 to 08:00 around one requested night (an inactive period)`,
        },
        points: written.totals.points,
        motionEvents: written.totals.motion,
        heartbeats: written.totals.heartbeats,
        telemetryPoints: written.totals.telemetry,
        nightVisits: written.totals.nightVisits,
        offlineNights: written.totals.offlineNights,
        pointsPerDevice: Math.round(written.totals.points / n),
        write: {
          batchLines: WRITE_BATCH_LINES,
          writesInFlight: WRITES_IN_FLIGHT,
          batches: written.totals.batches,
          seconds: round(written.seconds),
          generateSeconds: round(written.generateSeconds),
          pointsPerSecond: Math.round(written.totals.points / written.seconds),
        },
        storedCheck: stored,
      },
      read: { ...main, verified: mainVerified },
      /** The first devices read again, one at a time (after the run above: InfluxDB has read them once). */
      singleRead: { ...single, verified: singleVerified },
      /** lookout_rules_history_reads_total of the processor's metrics, by outcome (both runs). */
      readsByOutcome: Object.fromEntries((await metrics.rulesHistory.get()).values.map((v) => [String(v.labels.outcome), v.value])),
      workerLog: await (async () => {
        destination.flushSync()
        return pinoLogSummary(logFile)
      })(),
    }
  } finally {
    await scope.close()
  }
}
