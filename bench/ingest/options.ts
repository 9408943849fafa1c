/**
 * Command line of `npm run bench:ingest -- [flags]`; each flag can also come from an environment
 * variable (BENCH_DEVICES, BENCH_RATE, …), the flag winning.
 */
import { parseArgs } from 'node:util'

export const PARTS = ['lookout', 'mosquitto', 'node-red'] as const
export type Part = (typeof PARTS)[number]

export interface BenchOptions {
  devices: number
  /** Total messages per second (open loop), or null: closed loop, as fast as PUBACKs come back. */
  rate: number | null
  /** Unacknowledged publishes per device. */
  window: number
  warmupSeconds: number
  /** Steady-state seconds measured, per part. */
  seconds: number
  generators: number
  parts: Part[]
  /** Keep the temporary folder (logs, data) instead of deleting it. */
  keep: boolean
}

export const USAGE = `npm run bench:ingest -- [--devices 1000] [--rate max|<msg/s>] [--window 1] [--warmup 5] [--seconds 20]
                           [--generators 1] [--only lookout|mosquitto|node-red] [--keep]`

function whole(name: string, value: string, min: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not "${value}"\n${USAGE}`)
  return n
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: env.BENCH_DEVICES ?? '1000' },
      rate: { type: 'string', default: env.BENCH_RATE ?? 'max' },
      window: { type: 'string', default: env.BENCH_WINDOW ?? '1' },
      warmup: { type: 'string', default: env.BENCH_WARMUP ?? '5' },
      seconds: { type: 'string', default: env.BENCH_SECONDS ?? '20' },
      generators: { type: 'string', default: env.BENCH_GENERATORS ?? '1' },
      only: { type: 'string', default: env.BENCH_ONLY },
      keep: { type: 'boolean', default: env.BENCH_KEEP === '1' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const only = values.only
  if (only !== undefined && !(PARTS as readonly string[]).includes(only)) throw new Error(`--only must be one of ${PARTS.join(', ')}\n${USAGE}`)
  const devices = whole('devices', values.devices, 1)
  const generators = whole('generators', values.generators, 1)
  if (generators > devices) throw new Error(`--generators (${generators}) cannot exceed --devices (${devices})`)
  return {
    devices,
    rate: values.rate === 'max' ? null : whole('rate', values.rate, 1),
    window: whole('window', values.window, 1),
    warmupSeconds: whole('warmup', values.warmup, 1),
    seconds: whole('seconds', values.seconds, 1),
    generators,
    parts: only ? [only as Part] : [...PARTS],
    keep: values.keep,
  }
}
