/**
 * Command line of `npm run bench:rules -- [flags]` (node:util parseArgs). `--quick` only changes
 * the defaults; a flag given with it still wins.
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../../lib/config.ts'

export const PARTS = ['throughput', 'timers', 'history'] as const
export type Part = (typeof PARTS)[number]

export interface RulesBenchOptions {
  /** Part 1: devices of the mixed fleet and records sent through the rule queues. */
  devices: number
  records: number
  /** Records per enqueued batch (one rules job per partition per batch, as ingest does). */
  batch: number
  /** Records of the second, overlapped run (enqueue while the workers process); 0: no such run. */
  overlapRecords: number
  /** Simulated seconds between two records of one device (sets receivedAt; the bench runs ahead of it). */
  reportSeconds: number
  partitions: number
  /** Part 2: armed absence timers (one device each). */
  timers: number
  /** Seconds over which the timers' due times are spread. */
  timerWindowSeconds: number
  /** Seconds between the last init being processed and the first due time (aimed at; see timers.ts). */
  timerLeadSeconds: number
  /** addDevice calls in flight while registering. */
  registerConcurrency: number
  /** Part 3: motion sensors with 30 nights stored in InfluxDB, each read once as R15's history. */
  historyDevices: number
  parts: Part[]
  quick: boolean
  keep: boolean
}

export const USAGE = `npm run bench:rules -- [--quick] [--devices 2000] [--records 200000] [--batch 500] [--overlap-records <records>]
                          [--report-seconds 60] [--partitions 4] [--timers 100000] [--timer-window 60] [--timer-lead 30]
                          [--register-concurrency 200] [--history-devices 500] [--only throughput|timers|history] [--keep]`

/** The LOOKOUT_* variables of the benchmark's environment: they reach Lookout (except those the benchmark sets). */
export function lookoutVars(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (k.startsWith('LOOKOUT_') && v !== undefined) out[k] = v
  return out
}

const QUICK = { devices: 200, records: 20_000, timers: 10_000, historyDevices: 100 }

function whole(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, not "${value}"\n${USAGE}`)
  }
  return n
}

export function parseOptions(argv: string[]): RulesBenchOptions {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        devices: { type: 'string' },
        records: { type: 'string' },
        batch: { type: 'string', default: '500' },
        'overlap-records': { type: 'string' },
        'report-seconds': { type: 'string', default: '60' },
        partitions: { type: 'string' },
        timers: { type: 'string' },
        'timer-window': { type: 'string', default: '60' },
        'timer-lead': { type: 'string', default: '30' },
        'register-concurrency': { type: 'string', default: '200' },
        'history-devices': { type: 'string' },
        only: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }))
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`, { cause: err })
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const quick = values.quick
  const only = values.only
  if (only !== undefined && !(PARTS as readonly string[]).includes(only)) throw new Error(`--only must be one of ${PARTS.join(', ')}, not "${only}"\n${USAGE}`)
  const devices = whole('devices', values.devices ?? String(quick ? QUICK.devices : 2000), 1, 1_000_000)
  const records = whole('records', values.records ?? String(quick ? QUICK.records : 200_000), 1, 50_000_000)
  // LOOKOUT_RULE_PARTITIONS's default (or its value in the environment), and its limits
  const partitions = values.partitions === undefined ? loadConfig(lookoutVars()).rulePartitions : whole('partitions', values.partitions, 1, 256)
  return {
    devices,
    records,
    batch: whole('batch', values.batch, 1, 10_000),
    overlapRecords: whole('overlap-records', values['overlap-records'] ?? String(records), 0, 50_000_000),
    reportSeconds: whole('report-seconds', values['report-seconds'], 1, 86_400),
    partitions,
    timers: whole('timers', values.timers ?? String(quick ? QUICK.timers : 100_000), 1, 10_000_000),
    timerWindowSeconds: whole('timer-window', values['timer-window'], 1, 3600),
    timerLeadSeconds: whole('timer-lead', values['timer-lead'], 1, 3600),
    registerConcurrency: whole('register-concurrency', values['register-concurrency'], 1, 10_000),
    historyDevices: whole('history-devices', values['history-devices'] ?? String(quick ? QUICK.historyDevices : 500), 1, 100_000),
    parts: only ? [only as Part] : [...PARTS],
    quick,
    keep: values.keep,
  }
}
