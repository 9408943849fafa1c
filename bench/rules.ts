/**
 * Rule engine benchmark: how fast the live rule workers evaluate records with the whole shipped
 * catalogue, how they cope with many armed absence timers, and how fast a starting personal
 * baseline reads its history from InfluxDB.
 *
 *   npm run bench:rules -- [--quick] [--devices 2000] [--records 200000] [--batch 500]
 *                          [--overlap-records <records>] [--report-seconds 60] [--partitions 4]
 *                          [--timers 100000] [--timer-window 60] [--timer-lead 30]
 *                          [--register-concurrency 200] [--history-devices 500]
 *                          [--only throughput|timers|history] [--keep]
 *
 * `--quick`: 200 devices, 20,000 records, 10,000 timers, 100 history devices (flags given with it
 * win). `--partitions` defaults to LOOKOUT_RULE_PARTITIONS's default (4). Other LOOKOUT_* variables
 * in the environment reach Lookout (e.g. LOOKOUT_RULE_TICK_MS; default 500 ms); the effective
 * values are printed. Parts run in the order throughput, timers, history.
 *
 * Parts 1 and 2 each start their own redis-server (temporary folder, free port, AOF as in service)
 * and run Lookout in this process with LOOKOUT_ROLES=workers (startLookout), real clock. No InfluxDB
 * and no MQTT: the benchmark adds `records` jobs straight to the rules-p<N> queues, split per
 * partition as ingest splits them (workers/queues.ts), so it measures the rule engine, not storage.
 * CPU figures are this process (process.cpuUsage: the rule workers, plus the benchmark's light
 * polling) and redis-server (/proc/<pid>/stat); both share the machine's cores. Part 3 starts an
 * influxd only (below).
 *
 * Part 1, throughput (`bench/rules/throughput.ts`, fleet in `bench/rules/fleet.ts`): `--devices`
 * of a mix of 11 device types over 4 tenants with the default packs (every shipped rule), telecare
 * devices behind hubs; registered with the registry and initialised with `init` jobs
 * (enqueueRuleInit). Records: each device's canonical telemetry or events, one per
 * `--report-seconds` of simulated time, devices interleaved; receivedAt starts at registration and
 * rises (the run replays fleet time faster than real time). Run 1 queues all `--records` with the
 * rule queues paused (enqueue rate), then resumes them: drain time from resume until the workers'
 * lookout_rules_records_evaluated_total counts every record → records/s, rule evaluations/s (each
 * record goes to every rule of its device: Σ rulesFor(config, device)), CPU µs per record, job
 * durations (p50/p99 from the queues' event streams: `active` → `completed` entry times), alerts.
 * Run 2 (`--overlap-records`, default the same count, 0 skips it) enqueues while the workers
 * process: first enqueue to drained. Redis used_memory: empty, registered, with run 1 queued,
 * after run 1.
 *
 * Part 2, timers (`bench/rules/timers.ts`): tenant `bench-timers` with its own rules file
 * (createRulesStore().set) holding one interval absence rule (missingFactor 1, no criticalFactor,
 * packs: []) for environment sensors; `--timers` devices registered (`--register-concurrency` in
 * flight), then initialised with `init` jobs (as enqueueRuleInit makes them, added straight to the
 * queues) in 1,000 steps whose `at` is spread over `--timer-window` seconds. A timer is due at `at`
 * + the interval; the interval (a whole number of quarter minutes) is chosen so the first is due
 * about `--timer-lead` seconds after arming is expected to end, taking 4,000 devices armed a second
 * and at least 10 s (the actual slack is reported; if negative, lateness includes the init backlog).
 * Redis used_memory before the devices, after registration and after arming gives bytes per
 * registered device and per armed timer (rule state hash + timer index entry). Then it waits for
 * every alert. Lateness per alert = the time its alert.raised entry was written to the tenant's
 * alert stream (the entry id's millisecond part: Redis's clock at XADD, same machine) − its due
 * time (the alert's raisedAt: the engine raises a timer's alert at its due time). By design a
 * tick fires what was due by its own scheduled time less LOOKOUT_RULE_TIMER_GRACE_MS (default
 * 1 s), so lateness = grace + the tick phase (0 to LOOKOUT_RULE_TICK_MS) + the work; it is also
 * given less the grace (`latenessBeyondGraceMs`). The stream is capped near 10,000 entries, so it
 * is read from the start every 200 ms with eventsAfter (XRANGE after the last id; at most a few
 * hundred entries behind), and the count read is checked against the tenant's alert index
 * (P:alerts:<tenant>). Also reported: the instance's
 * lookout_rules_timer_lateness_seconds histogram (the worker's own clock when it delivers, which
 * leaves out the alert write itself), and CPU while firing, also less the idle rate measured while
 * waiting for the first due time (ticks finding nothing, the benchmark's polling).
 *
 * Part 3, history (`bench/rules/history.ts`): a personal baseline (R15, responder pack, off by
 * default) that starts on a device reads the nights before it from InfluxDB in one `rules-history`
 * job (workers/history-worker.ts): one SELECT of the matching events over the 28 nights asked for
 * (2 × historyDays) and 28 `SELECT count(*)` (did the device send anything that night), in one
 * HTTP request (lib/influx.ts queryAll), then per-night episode counts handed to the partition. The
 * part starts a throwaway influxd (app/services startInfluxd, as the ingest benchmark does; no
 * Redis, no Lookout) and writes, with workers/line-protocol.ts toLines and InfluxClient.write (5,000
 * lines a write, 4 in flight), 30 nights for each of `--history-devices` bathroom motion sensors of
 * tenant `bench-history` in Europe/London (evenings 10 March to 8 April 2026, across the spring
 * DST change): 0-5 visits a night (mean 2.9) of 3 PIR triggers 30-90 s apart (one episode each),
 * 40-60 daytime motion events, an hourly heartbeat and a daily battery reading (~2,600 points a
 * device); every 5th device sends nothing around one of the nights (an inactive period). Write time
 * and rate are reported, and the stored counts are checked. Each device's request is what a fresh
 * R15 state asks for: baselineHistory.wanted(baselineKind.init(params, subject, now).state, …) with
 * R15's catalogue params and `now` the next noon after the last night. The real
 * createHistoryProcessor (InfluxDB client as Lookout makes it, storeBehind answering false, deliver
 * keeping the answer, createMetrics, a pino logger at warn to a file) is called directly with a
 * Job-shaped object, 2 at a time (the worker's HISTORY_CONCURRENCY) over every device: reads/s,
 * latency p50/p99/max of a whole job and of its queryAll alone, statements and request bytes per
 * read, CPU of this process and influxd per read. Then the first 50 devices are read again one at
 * a time (single-read latency). Every answer must have 28 periods with the episodes and activity
 * written for that night, or the part fails. Queue overhead is not included (a BullMQ job costs
 * ~150 µs more, measured elsewhere; in service storeBehind is one Redis call and deliver one job add).
 *
 * Alert counts of part 1 depend on the time of day the benchmark runs: several shipped rules only
 * raise at night in Europe/London (R07, R08), and simulated time starts at the real clock.
 *
 * Prints one JSON document to stdout and writes it to bench/results/rules-<time>.json; progress goes
 * to stderr. Everything started is stopped and the temporary folder removed (`--keep` keeps logs and
 * data), also on Ctrl-C and on errors.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadConfig } from '../lib/config.ts'
import { findBinary } from '../app/services/index.ts'
import { machineBasics, runParts } from './harness.ts'
import { versionOf } from './ingest/processes.ts'
import { round } from './ingest/stats.ts'
import { runHistoryPart } from './rules/history.ts'
import { lookoutEnv } from './rules/instance.ts'
import { parseOptions, type RulesBenchOptions } from './rules/options.ts'
import { runThroughputPart } from './rules/throughput.ts'
import { runTimersPart } from './rules/timers.ts'


function optionsOrExit(): RulesBenchOptions {
  try {
    return parseOptions(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(2)
  }
}

async function machine() {
  const redis = await findBinary('redis-server')
  const influxd = options.parts.includes('history') ? await findBinary('influxd') : undefined
  return {
    ...machineBasics(),
    redis: redis && versionOf(redis, ['--version'])?.match(/v=(\S+)/)?.[1],
    ...(influxd ? { influxdb: versionOf(influxd, ['version'])?.match(/InfluxDB (\S+)/)?.[1] } : {}),
  }
}

const options = optionsOrExit()
const started = Date.now()
const results: {
  throughput?: Awaited<ReturnType<typeof runThroughputPart>>
  timers?: Awaited<ReturnType<typeof runTimersPart>>
  history?: Awaited<ReturnType<typeof runHistoryPart>>
} = {}
await runParts('rules', options, async (part, dir) => {
  if (part === 'throughput') results.throughput = await runThroughputPart(options, dir)
  else if (part === 'timers') results.timers = await runTimersPart(options, dir)
  else results.history = await runHistoryPart(options, dir)
})

const effective = loadConfig(lookoutEnv(options.partitions))
const result = {
  benchmark: 'rules',
  at: new Date().toISOString(),
  wallSeconds: round((Date.now() - started) / 1000),
  machine: await machine(),
  config: {
    options: { ...options },
    lookout: {
      roles: effective.roles,
      rulePartitions: effective.rulePartitions,
      ruleTickMs: effective.ruleTickMs,
      ruleTimerGraceMs: effective.ruleTimerGraceMs,
      ruleLockMs: effective.ruleLockMs,
      clock: 'real (Date.now)',
      influxdb: 'throughput, timers: not started (records go to the rule queues only, no store jobs); history: a throwaway influxd read by createHistoryProcessor directly (no queue)',
    },
  },
  throughput: results.throughput ?? null,
  timers: results.timers ?? null,
  history: results.history ?? null,
}
const out = path.resolve(import.meta.dirname, 'results')
await mkdir(out, { recursive: true })
await writeFile(path.join(out, `rules-${result.at.replaceAll(':', '-')}.json`), `${JSON.stringify(result, null, 2)}\n`)
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
process.exit(0)
