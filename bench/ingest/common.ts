/**
 * What the three parts share: the device fleet, the services they start, a sampler of cumulative
 * counters, the drain wait, and log summaries.
 */
import { readFile } from 'node:fs/promises'
import type { Logger } from '../../lib/logger.ts'
import { ensureBinary } from '../../app/services/index.ts'
import type { BenchOptions } from './options.ts'
import type { DeviceLogin } from './protocol.ts'
import type { Curve } from './stats.ts'

export function progress(label: string, text: string, bench = 'ingest'): void {
  process.stderr.write(`[${bench} ${new Date().toISOString().slice(11, 19)}] ${label}: ${text}\n`)
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-GB')

export const DEVICE_PREFIX = 'bench-env-'
export const deviceId = (index: number) => `${DEVICE_PREFIX}${index}`

/** Mosquitto admits anyone here; devices still log in as they would to Lookout. */
export const anonymousLogins = (count: number): DeviceLogin[] =>
  Array.from({ length: count }, (_, index) => ({ index, id: deviceId(index), password: 'unused' }))

export interface PartContext {
  options: BenchOptions
  /** A folder of this part inside the run's temporary folder. */
  dir: string
  log: Logger
}

export const installPolicy = (log: Logger) => ({ autoInstall: 'auto' as const, log })

export const binaries = {
  redis: (log: Logger) => ensureBinary('redis-server', 'redis-server', 'REDIS_URL', installPolicy(log)),
  influxd: (log: Logger) => ensureBinary('influxd', 'influxdb', 'INFLUX_URL', installPolicy(log)),
  async mosquitto(log: Logger) {
    try {
      return await ensureBinary('mosquitto', 'mosquitto', 'MOSQUITTO_URL', installPolicy(log))
    } catch (err) {
      const why = (err as Error).message.split('. ')[0]
      throw new Error(`${why}. The reference parts need Mosquitto: apt-get install mosquitto, or run --only lookout`, { cause: err })
    }
  },
}

export const mib = (bytes: number) => (Number.isFinite(bytes) ? Math.round((bytes / 2 ** 20) * 10) / 10 : null)

/**
 * Samples a cumulative count every `everyMs` (a sample still in flight is not overlapped) into a
 * curve of (time, count). A failed sample is skipped.
 */
export function startSampler(everyMs: number, sample: () => Promise<number>) {
  const curve: Curve = { t: [], n: [] }
  let busy = false
  const take = async () => {
    if (busy) return
    busy = true
    try {
      const t = performance.timeOrigin + performance.now()
      const n = await sample()
      curve.t.push(t)
      curve.n.push(n)
    } catch {
      // the next sample will tell
    } finally {
      busy = false
    }
  }
  void take()
  const timer = setInterval(() => void take(), everyMs)
  return {
    curve,
    latest: () => curve.n[curve.n.length - 1] ?? 0,
    /** Rate over roughly the last `overMs`, per second. */
    rate(overMs = 3000): number {
      const last = curve.t.length - 1
      if (last < 1) return 0
      let first = last
      while (first > 0 && curve.t[last]! - curve.t[first - 1]! <= overMs) first--
      if (first === last) first = last - 1
      return ((curve.n[last]! - curve.n[first]!) * 1000) / (curve.t[last]! - curve.t[first]!)
    },
    async stop() {
      clearInterval(timer)
      await take()
    },
  }
}

/**
 * After the load: waits until `current()` reaches `target`, or stops growing for `stallMs`, or
 * `maxMs` passes. Prints progress. Returns how long it waited and whether the target was reached.
 */
export async function drain(label: string, what: string, target: number, current: () => Promise<number> | number, stallMs: number, maxMs = 180_000) {
  const started = Date.now()
  let last = -1
  let lastChange = started
  let lastPrint = started
  for (;;) {
    const now = await current()
    if (now >= target) return { seconds: (Date.now() - started) / 1000, complete: true }
    if (now !== last) {
      last = now
      lastChange = Date.now()
    }
    if (Date.now() - lastChange > stallMs || Date.now() - started > maxMs) return { seconds: (Date.now() - started) / 1000, complete: false }
    if (Date.now() - lastPrint >= 3000) {
      lastPrint = Date.now()
      progress(label, `draining: ${what} ${fmt(now)} of ${fmt(target)}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The last lines of a log file, for an error message (the temporary folder may be gone by the time it is read). */
export async function logTail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return `${file} ends:\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`
}

/** Sum of every series of a Prometheus counter or gauge in a text exposition. */
export function metricSum(exposition: string, name: string): number {
  let sum = 0
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

/** Warnings and errors of a pino (JSON lines) log, with up to 5 distinct messages. */
export async function pinoLogSummary(file: string) {
  let warnings = 0
  let errors = 0
  const samples = new Set<string>()
  const text = await readFile(file, 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    let entry: { level?: number; msg?: string; err?: { message?: string } | string }
    try {
      entry = JSON.parse(line) as typeof entry
    } catch {
      errors++
      if (samples.size < 5) samples.add(line.slice(0, 200))
      continue
    }
    const level = entry.level ?? 30
    if (level < 40) continue
    if (level >= 50) errors++
    else warnings++
    const err = typeof entry.err === 'string' ? entry.err : entry.err?.message
    if (samples.size < 5) samples.add(`${level >= 50 ? 'error' : 'warn'}: ${entry.msg ?? ''}${err ? ` (${err.slice(0, 160)})` : ''}`)
  }
  return { warnings, errors, samples: [...samples] }
}

/** Error and warning lines of a plain-text log, with up to 5 distinct ones. */
export async function textLogSummary(file: string, patterns: { error: RegExp; warning: RegExp }) {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n')
  const errors = lines.filter((l) => patterns.error.test(l))
  const warnings = lines.filter((l) => patterns.warning.test(l))
  // the first of each kind of message (the text after the timestamp and node name)
  const samples = new Map<string, string>()
  for (const line of [...errors, ...warnings]) {
    const kind = line.replace(/^[^[]*/, '').slice(0, 80)
    if (!samples.has(kind) && samples.size < 5) samples.set(kind, line.slice(0, 200))
  }
  return { errors: errors.length, warnings: warnings.length, samples: [...samples.values()] }
}
