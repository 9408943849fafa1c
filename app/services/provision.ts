/**
 * Where Redis and InfluxDB come from. A configured REDIS_URL / INFLUX_URL is used as it is.
 * Otherwise the server is provisioned: redis-server and influxd run as children of this process
 * with their data under `<dataDir>/redis` and `<dataDir>/influxdb`, which survive restarts.
 *
 * `<dataDir>/services.json` records the owning process (pid and start time) and the children's
 * pids and ports, so that
 *  - a second `lookout start` on the same folder refuses to start instead of sharing data files;
 *  - a CLI command (`lookout device add`) uses the running instance's Redis when there is one,
 *    and otherwise provisions Redis for the length of the command;
 *  - children orphaned by a `kill -9` of their owner are stopped before new ones start, and no
 *    server starts on a folder another process serves (orphans.ts; pids are checked against what
 *    the process is, never trusted alone).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { LookoutError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/logger.ts'
import type { ChildService } from './child-service.ts'
import { findFreePort } from './free-port.ts'
import { INFLUXD_PID_FILE, startInfluxd } from './influxd.ts'
import { ensureBinary } from './install.ts'
import { clearFolder } from './orphans.ts'
import { REDIS_PID_FILE, redisPing, startRedisServer } from './redis-server.ts'
import { isRunning, readPidFile, startTimeOf } from './server-process.ts'

interface ServicesState {
  ownerPid?: number
  /** The owner's start time (clock ticks since boot), so a reused pid is not taken for it. */
  ownerStart?: number
  redis?: { pid?: number; port: number }
  influx?: { pid?: number; httpPort: number; rpcPort: number }
}

export interface ResolvedServices {
  redisUrl: string
  /** Undefined only when the caller did not ask for InfluxDB. */
  influxUrl: string | undefined
  /** Names of the services this process started (and will stop). */
  provisioned: string[]
  stop(): Promise<void>
}

export interface ProvisionOptions {
  dataDir: string
  redisUrl: string | undefined
  influxUrl: string | undefined
  autoInstall: 'auto' | 'yes' | 'no'
  log: Logger
  /** `server`: this process runs Lookout. `command`: a short CLI command that needs Redis only. */
  purpose: 'server' | 'command'
}

/** The owner named by services.json is this same process still running (not a reused pid). */
function ownerRunning(state: ServicesState): boolean {
  if (!isRunning(state.ownerPid)) return false
  return state.ownerStart === undefined || startTimeOf(state.ownerPid) === state.ownerStart
}

export async function resolveServices(options: ProvisionOptions): Promise<ResolvedServices> {
  const needInflux = options.purpose === 'server'
  const needLocalRedis = !options.redisUrl
  const needLocalInflux = needInflux && !options.influxUrl
  if (!needLocalRedis && !needLocalInflux) {
    return { redisUrl: options.redisUrl!, influxUrl: options.influxUrl, provisioned: [], stop: async () => {} }
  }

  await mkdir(options.dataDir, { recursive: true })
  const stateFile = path.join(options.dataDir, 'services.json')
  let state: ServicesState = {}
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as ServicesState
  } catch {
    // first start in this folder
  }

  if (state.ownerPid !== process.pid && ownerRunning(state)) {
    if (options.purpose === 'server') {
      throw new LookoutError(
        'SERVICE_START_FAILED',
        `Lookout is already running from ${options.dataDir} (pid ${state.ownerPid}); stop it first or set LOOKOUT_DATA_DIR to another folder`,
      )
    }
    if (state.redis && needLocalRedis && (await redisPing(state.redis.port))) {
      return { redisUrl: `redis://127.0.0.1:${state.redis.port}`, influxUrl: undefined, provisioned: [], stop: async () => {} }
    }
    // the running instance uses external services or is still starting: fall through only for what is ours to start
    if (needLocalRedis) {
      throw new LookoutError('SERVICE_UNAVAILABLE', `Lookout (pid ${state.ownerPid}) owns ${options.dataDir} but its Redis does not answer yet; try again`)
    }
  }

  const redisDir = path.join(options.dataDir, 'redis')
  const influxDir = path.join(options.dataDir, 'influxdb')
  // claim the folder before looking at it, so a CLI command run meanwhile waits for our servers
  const next: ServicesState = { ownerPid: process.pid, ownerStart: startTimeOf(process.pid) }
  await writeFile(stateFile, JSON.stringify({ ...state, ...next }))
  const redisServer = { name: 'redis-server', dir: redisDir, recorded: [state.redis?.pid, await readPidFile(path.join(redisDir, REDIS_PID_FILE))] }
  const influxServer = { name: 'influxd', dir: influxDir, recorded: [state.influx?.pid, await readPidFile(path.join(influxDir, INFLUXD_PID_FILE))] }
  try {
    await clearFolder(redisServer, options.log, { refuseOthers: needLocalRedis })
    await clearFolder(influxServer, options.log, { refuseOthers: needLocalInflux })
  } catch (err) {
    await writeFile(stateFile, JSON.stringify({ ...state, ownerPid: undefined, ownerStart: undefined }))
    throw err
  }

  const started: ChildService[] = []
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop()
    await writeFile(stateFile, JSON.stringify({ redis: next.redis && { port: next.redis.port }, influx: next.influx && { ...next.influx, pid: undefined } }))
  }
  try {
    let redisUrl = options.redisUrl
    if (needLocalRedis) {
      const binary = await ensureBinary('redis-server', 'redis-server', 'REDIS_URL', options)
      const port = await findFreePort(state.redis?.port ?? 6379)
      const redis = await startRedisServer({ binary, dir: redisDir, port })
      started.push(redis)
      next.redis = { pid: redis.pid, port }
      redisUrl = redis.url
      options.log.info({ url: redis.url, dir: redisDir }, 'started local redis-server')
    }
    let influxUrl = options.influxUrl
    if (needLocalInflux) {
      const binary = await ensureBinary('influxd', 'influxdb', 'INFLUX_URL', options)
      const httpPort = await findFreePort(state.influx?.httpPort ?? 8086)
      const rpcPort = await findFreePort(state.influx?.rpcPort ?? 8088)
      const influx = await startInfluxd({ binary, dir: influxDir, httpPort, rpcPort })
      started.push(influx)
      next.influx = { pid: influx.pid, httpPort, rpcPort }
      influxUrl = influx.url
      options.log.info({ url: influx.url, dir: influxDir }, 'started local influxd')
    }
    await writeFile(stateFile, JSON.stringify(next))
    return { redisUrl: redisUrl!, influxUrl, provisioned: started.map((s) => s.name), stop: stopAll }
  } catch (err) {
    await stopAll()
    throw err
  }
}
