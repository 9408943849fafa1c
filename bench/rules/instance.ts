/**
 * One part's servers: a throwaway redis-server (its own temporary folder and free port) and Lookout
 * in this process with LOOKOUT_ROLES=workers (the store worker and one rule worker per partition),
 * plus the benchmark's own Redis connections and rule queues.
 *
 * No InfluxDB: the benchmark adds `records` jobs to the rules-p<N> queues only, so the store worker
 * gets no job. Lookout is given an InfluxDB URL where nothing listens; it retries creating its
 * database in the background (one warning in its log, counted in `lookoutLog`).
 */
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { pino } from 'pino'
import { createAlertStore } from '../../alerts/index.ts'
import { loadConfig, type Config } from '../../lib/config.ts'
import { createLogger } from '../../lib/logger.ts'
import { startLookout, type RunningLookout } from '../../app/lookout.ts'
import { closeRedis, createRedis } from '../../lib/redis.ts'
import { createRegistry, type NewDevice, type Registry } from '../../registry/index.ts'
import { findFreePort, startRedisServer, type ChildService } from '../../app/services/index.ts'
import { bullPrefix, rulesQueueName } from '../../workers/jobs.ts'
import { binaries, fmt, pinoLogSummary, progress } from '../ingest/common.ts'
import { cpuSecondsOf, machineCpuSeconds, type Scope } from '../ingest/processes.ts'
import { round } from '../ingest/stats.ts'
import { lookoutVars } from './options.ts'

export const KEY_PREFIX = 'lookout'

/** Last resort: a redis-server still running when this process exits is killed (by its pid). */
const children = new Set<number>()
process.on('exit', () => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})

export interface Instance {
  config: Config
  redisServer: ChildService
  lookout: RunningLookout
  /** The benchmark's own connection (registry, alerts, INFO). */
  redis: Redis
  registry: Registry
  alerts: ReturnType<typeof createAlertStore>
  /** The rules-p<N> queues, as ingest sees them (on their own connection). */
  queues: Queue[]
  queueConnection: Redis
  logFile: string
  usedMemory(): Promise<number>
  /** Jobs waiting or running in the rule queues (the scheduler's next, delayed, tick is left out). */
  pendingJobs(): Promise<{ pending: number; failed: number; delayed: number }>
  /** Waits until no rule job waits or runs (after the jobs of interest were added). */
  waitIdle(label: string, what: string, timeoutMs: number): Promise<void>
  logSummary(): Promise<Awaited<ReturnType<typeof pinoLogSummary>>>
}

/** Lookout's environment: the benchmark's LOOKOUT_* variables (e.g. LOOKOUT_RULE_TICK_MS) and what the benchmark sets. */
export function lookoutEnv(partitions: number): Record<string, string> {
  return { ...lookoutVars(), LOOKOUT_ROLES: 'workers', LOOKOUT_RULE_PARTITIONS: String(partitions), LOOKOUT_KEY_PREFIX: KEY_PREFIX, LOG_LEVEL: 'warn' }
}

export async function startInstance(scope: Scope, dir: string, label: string, partitions: number): Promise<Instance> {
  await mkdir(dir, { recursive: true })
  const log = createLogger('warn', 'stderr')
  progress(label, 'starting redis-server and Lookout (workers only)', 'rules')
  const redisServer = await startRedisServer({ binary: await binaries.redis(log), dir: path.join(dir, 'redis'), port: await findFreePort() })
  children.add(redisServer.pid)
  scope.defer('redis-server', async () => {
    await redisServer.stop()
    children.delete(redisServer.pid)
  })

  const config = loadConfig(lookoutEnv(partitions))
  const logFile = path.join(dir, 'lookout.log')
  const destination = pino.destination({ dest: logFile, sync: false, mkdir: true })
  scope.defer('lookout log', async () => {
    destination.flushSync()
    destination.end()
  })
  const nowhere = `http://127.0.0.1:${await findFreePort()}`
  const lookout = await startLookout(config, { redisUrl: redisServer.url, influxUrl: nowhere }, createLogger(config.logLevel, destination), { defaultMetrics: false })
  scope.defer('Lookout', () => lookout.close())

  const redis = createRedis(redisServer.url, { name: 'bench-rules' })
  const queueConnection = createRedis(redisServer.url, { name: 'bench-rules-queues' })
  scope.defer('benchmark connections', async () => {
    await closeRedis(queueConnection)
    await closeRedis(redis)
  })
  const prefix = bullPrefix(config.keyPrefix)
  const queues = Array.from({ length: config.rulePartitions }, (_, p) => new Queue(rulesQueueName(p), { connection: queueConnection, prefix }))
  scope.defer('benchmark queues', async () => {
    await Promise.all(queues.map((q) => q.close()))
  })

  async function pendingJobs() {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized', 'delayed', 'failed')))
    let pending = 0
    let failed = 0
    let delayed = 0
    for (const c of counts) {
      pending += (c.wait ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0)
      failed += c.failed ?? 0
      delayed += c.delayed ?? 0
    }
    return { pending, failed, delayed }
  }

  return {
    config,
    redisServer,
    lookout,
    redis,
    registry: createRegistry(redis, config.keyPrefix),
    alerts: createAlertStore(redis, config.keyPrefix),
    queues,
    queueConnection,
    logFile,
    async usedMemory() {
      const info = await redis.info('memory')
      return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN)
    },
    pendingJobs,
    async waitIdle(partLabel, what, timeoutMs) {
      const started = Date.now()
      let lastPrint = started
      for (;;) {
        const { pending, failed } = await pendingJobs()
        if (failed > 0) throw new Error(`${failed} rule jobs failed (see ${logFile})`)
        if (pending === 0) return
        if (Date.now() - started > timeoutMs) throw new Error(`rule queues still hold ${pending} jobs after ${timeoutMs / 1000} s (${what})`)
        if (Date.now() - lastPrint >= 3000) {
          lastPrint = Date.now()
          progress(partLabel, `${what}: ${fmt(pending)} jobs to go`, 'rules')
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async logSummary() {
      destination.flushSync()
      return pinoLogSummary(logFile)
    },
  }
}

/**
 * Registers devices with `concurrency` addDevice calls in flight; progress every 3 s.
 * Returns the seconds it took.
 */
export async function registerDevices(registry: Registry, devices: readonly NewDevice[], concurrency: number, label: string): Promise<number> {
  const started = performance.now()
  let next = 0
  let done = 0
  let lastPrint = started
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= devices.length) return
      await registry.addDevice(devices[i]!, Date.now())
      done++
      if (performance.now() - lastPrint >= 3000) {
        lastPrint = performance.now()
        progress(label, `registered ${fmt(done)} of ${fmt(devices.length)} devices`, 'rules')
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, devices.length) }, worker))
  return (performance.now() - started) / 1000
}

/** Sum of every series of a counter or histogram sample of an in-process metric. */
export async function metricTotal(metric: { get(): Promise<{ values: { value: number; metricName?: string }[] }> }, sampleName?: string): Promise<number> {
  const { values } = await metric.get()
  return values.filter((v) => sampleName === undefined || v.metricName === sampleName).reduce((n, v) => n + v.value, 0)
}

/**
 * CPU over a window: this process (process.cpuUsage: the rule workers and the benchmark), the
 * redis-server (/proc/<pid>/stat), and the rest of the machine (/proc/stat busy time less those
 * two: other work on the box, which competes for the same cores).
 */
export function cpuWindow(redisPid: number) {
  const bench = process.cpuUsage()
  const redis = cpuSecondsOf(redisPid)
  const machine = machineCpuSeconds()
  const started = performance.now()
  return {
    stop(units: number) {
      const wall = (performance.now() - started) / 1000
      const d = process.cpuUsage(bench)
      const benchSeconds = (d.user + d.system) / 1e6
      const redisSeconds = cpuSecondsOf(redisPid) - redis
      const others = Math.max(0, machineCpuSeconds().busy - machine.busy - benchSeconds - redisSeconds)
      return {
        /** Unrounded, for arithmetic; left out of the output. */
        raw: { wall, bench: benchSeconds, redis: redisSeconds },
        benchProcessSeconds: round(benchSeconds),
        benchProcessCores: round(benchSeconds / wall),
        benchProcessUsPer: round((benchSeconds * 1e6) / units, 1),
        redisServerSeconds: round(redisSeconds),
        redisServerCores: round(redisSeconds / wall),
        redisServerUsPer: round((redisSeconds * 1e6) / units, 1),
        otherProcessesCores: round(others / wall),
      }
    },
  }
}

/** Nearest-rank percentiles (as bench/ingest/stats.ts's, with p90 too). */
export function quantiles(values: ArrayLike<number>, digits = 1) {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
  const r = (x: number) => Math.round(x * 10 ** digits) / 10 ** digits
  return { count: sorted.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(sorted[sorted.length - 1]!) }
}

/** Durations (ms) of the rule jobs whose ids `include` accepts, from the queues' event streams (active → completed stream ids). */
export async function jobDurations(instance: Instance, fromMs: number, include: (jobId: string) => boolean): Promise<number[]> {
  const prefix = bullPrefix(instance.config.keyPrefix)
  const durations: number[] = []
  for (let p = 0; p < instance.queues.length; p++) {
    const key = `${prefix}:${rulesQueueName(p)}:events`
    const active = new Map<string, number>()
    let start = `${fromMs}-0`
    for (;;) {
      const entries = await instance.redis.xrange(key, start, '+', 'COUNT', 5000)
      for (const [id, fields] of entries) {
        const f: Record<string, string> = {}
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!
        const jobId = f.jobId
        if (jobId === undefined || !include(jobId)) continue
        const ms = Number(id.slice(0, id.indexOf('-')))
        if (f.event === 'active') active.set(jobId, ms)
        else if (f.event === 'completed') {
          const from = active.get(jobId)
          if (from !== undefined) durations.push(ms - from)
        }
      }
      if (entries.length < 5000) break
      start = `(${entries[entries.length - 1]![0]}`
    }
  }
  return durations
}

export const numericJobId = (id: string) => /^\d+$/.test(id)
