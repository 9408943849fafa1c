/**
 * Provisioned servers after a crash: `lookout start` killed with SIGKILL leaves its redis-server and
 * influxd running; the next start on the same LOOKOUT_DATA_DIR stops them and runs exactly one
 * redis-server on the folder, with the data intact. Provisioning never kills a process that is not
 * one of its own servers (a reused pid, a `tail -f` of a log) and never starts a second server on a
 * folder another redis-server serves.
 *
 * Servers are found here by reading /proc directly (the kernel's process name and working directory,
 * or a command line naming the folder), independently of how app/services finds them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LookoutError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import { findFreePort, redisPing, resolveServices } from '../app/services/index.ts'
import { provisioningEnv, startChildLookout } from './helpers/child-lookout.ts'
import { eventually } from './helpers/lookout.ts'

const run = promisify(execFile)
const BIN = path.resolve(import.meta.dirname, '../bin/lookout.js')

/** Alive and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  return !/^\d+ \(.*\) Z/.test(readProcStat(pid))
}

function readProcStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return ''
  }
}

/** Pids of live processes called `name` whose working directory is `dir` or whose command line names a path in `dir`. */
async function serversOn(name: string, dir: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    try {
      if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() !== name) continue
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '')
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
      if ((cwd === dir || argv.some((a) => a.startsWith(dir + path.sep))) && isRunning(pid)) pids.push(pid)
    } catch {
      // the process ended while we looked
    }
  }
  return pids.sort((a, b) => a - b)
}

async function killServersOn(dataDir: string): Promise<void> {
  for (const pid of [...(await serversOn('redis-server', path.join(dataDir, 'redis'))), ...(await serversOn('influxd', path.join(dataDir, 'influxdb')))]) {
    process.kill(pid, 'SIGKILL')
  }
}

interface ServicesFile {
  redis: { pid: number; port: number }
  influx: { pid: number }
}

describe('lookout start after the previous one was killed with SIGKILL', () => {
  let dataDir: string
  let env: NodeJS.ProcessEnv
  let lookout: ChildProcess | undefined
  let before: ServicesFile
  const log = { output: '' }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lookout-crash-'))
    env = await provisioningEnv(dataDir)
  })
  afterAll(async () => {
    if (lookout && lookout.exitCode === null) lookout.kill('SIGKILL')
    await killServersOn(dataDir)
    await rm(dataDir, { recursive: true, force: true })
  })

  it('leaves its redis-server and influxd running when it is killed', async () => {
    lookout = await startChildLookout(env, log)
    const { stdout } = await run(process.execPath, [BIN, 'device', 'add', 'crash-1', '--tenant', 'council-a', '--type', 'pendant'], { env, timeout: 20_000 })
    expect(JSON.parse(stdout)).toMatchObject({ deviceId: 'crash-1' })
    before = JSON.parse(await readFile(path.join(dataDir, 'services.json'), 'utf8')) as ServicesFile
    const exited = new Promise((resolve) => lookout!.once('exit', resolve))
    lookout.kill('SIGKILL')
    await exited
    expect(isRunning(before.redis.pid)).toBe(true)
    expect(isRunning(before.influx.pid)).toBe(true)
  })

  it('stops the orphans on the next start and serves the same data with one redis-server', async () => {
    lookout = await startChildLookout(env, log)
    const after = JSON.parse(await readFile(path.join(dataDir, 'services.json'), 'utf8')) as ServicesFile
    expect(isRunning(before.redis.pid), `orphaned redis-server ${before.redis.pid} still runs`).toBe(false)
    expect(isRunning(before.influx.pid), `orphaned influxd ${before.influx.pid} still runs`).toBe(false)
    expect(await serversOn('redis-server', path.join(dataDir, 'redis'))).toEqual([after.redis.pid])
    expect(await serversOn('influxd', path.join(dataDir, 'influxdb'))).toEqual([after.influx.pid])
    expect(log.output).toContain('stopping a server left running by an earlier Lookout process')
    const { stdout } = await run(process.execPath, [BIN, 'device', 'list', '--tenant', 'council-a'], { env, timeout: 20_000 })
    expect((JSON.parse(stdout) as { devices: { deviceId: string }[] }).devices.map((d) => d.deviceId)).toEqual(['crash-1'])
  })

  it('finds the orphans by their own pid files when services.json is gone', async () => {
    const orphans = JSON.parse(await readFile(path.join(dataDir, 'services.json'), 'utf8')) as ServicesFile
    const exited = new Promise((resolve) => lookout!.once('exit', resolve))
    lookout!.kill('SIGKILL')
    await exited
    expect(isRunning(orphans.redis.pid)).toBe(true)
    await rm(path.join(dataDir, 'services.json'))

    lookout = await startChildLookout(env, log)
    const after = JSON.parse(await readFile(path.join(dataDir, 'services.json'), 'utf8')) as ServicesFile
    expect(isRunning(orphans.redis.pid)).toBe(false)
    expect(isRunning(orphans.influx.pid)).toBe(false)
    expect(await serversOn('redis-server', path.join(dataDir, 'redis'))).toEqual([after.redis.pid])
    expect(await serversOn('influxd', path.join(dataDir, 'influxdb'))).toEqual([after.influx.pid])
    const { stdout } = await run(process.execPath, [BIN, 'device', 'list', '--tenant', 'council-a'], { env, timeout: 20_000 })
    expect((JSON.parse(stdout) as { devices: { deviceId: string }[] }).devices.map((d) => d.deviceId)).toEqual(['crash-1'])
  })

  it('still stops both servers on SIGTERM', async () => {
    const state = JSON.parse(await readFile(path.join(dataDir, 'services.json'), 'utf8')) as ServicesFile
    const exited = new Promise<number | null>((resolve) => lookout!.once('exit', (code) => resolve(code)))
    lookout!.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(isRunning(state.redis.pid)).toBe(false)
    expect(isRunning(state.influx.pid)).toBe(false)
  })
})

describe('provisioning and processes that are not its own servers', () => {
  let dataDir: string
  const spawned: ChildProcess[] = []
  const quiet = createLogger('silent')

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lookout-foreign-'))
    await mkdir(path.join(dataDir, 'redis'), { recursive: true })
    await mkdir(path.join(dataDir, 'influxdb'), { recursive: true })
  })
  afterEach(async () => {
    for (const child of spawned.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await killServersOn(dataDir)
  })
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  function spawnIn(command: string, args: string[], cwd: string): ChildProcess {
    const child = spawn(command, args, { cwd, stdio: 'ignore' })
    spawned.push(child)
    return child
  }

  it('never kills an unrelated process that a stale services.json names', async () => {
    await writeFile(path.join(dataDir, 'influxdb', 'influxd.log'), '')
    // a reused pid inside the Redis folder, and someone reading the InfluxDB log
    const sleeper = spawnIn('sleep', ['60'], path.join(dataDir, 'redis'))
    const tail = spawnIn('tail', ['-f', path.join(dataDir, 'influxdb', 'influxd.log')], dataDir)
    await eventually(async () => (sleeper.pid && tail.pid && isRunning(sleeper.pid) && isRunning(tail.pid) ? true : undefined))
    await writeFile(
      path.join(dataDir, 'services.json'),
      JSON.stringify({
        redis: { pid: sleeper.pid, port: await findFreePort() },
        influx: { pid: tail.pid, httpPort: await findFreePort(), rpcPort: await findFreePort() },
      }),
    )
    await writeFile(path.join(dataDir, 'redis', 'redis-server.pid'), `${sleeper.pid}\n`)
    await writeFile(path.join(dataDir, 'influxdb', 'influxd.pid'), `${tail.pid}\n`)

    const services = await resolveServices({ dataDir, redisUrl: undefined, influxUrl: undefined, autoInstall: 'no', log: quiet, purpose: 'server' })
    try {
      expect(services.provisioned).toEqual(['redis-server', 'influxd'])
      expect(await redisPing(Number(new URL(services.redisUrl).port))).toBe(true)
    } finally {
      await services.stop()
    }
    expect(isRunning(sleeper.pid!)).toBe(true)
    expect(isRunning(tail.pid!)).toBe(true)
  })

  it('starts when the owner pid in services.json now belongs to another process', async () => {
    const sleeper = spawnIn('sleep', ['60'], dataDir)
    await eventually(async () => (sleeper.pid && isRunning(sleeper.pid) ? true : undefined))
    // a live pid, but not the process that started at ownerStart (clock tick 1 after boot)
    await writeFile(path.join(dataDir, 'services.json'), JSON.stringify({ ownerPid: sleeper.pid, ownerStart: 1 }))

    const services = await resolveServices({ dataDir, redisUrl: undefined, influxUrl: undefined, autoInstall: 'no', log: quiet, purpose: 'server' })
    try {
      expect(services.provisioned).toEqual(['redis-server', 'influxd'])
    } finally {
      await services.stop()
    }
    expect(isRunning(sleeper.pid!)).toBe(true)
  })

  it('refuses to start a second redis-server on a folder another redis-server serves', async () => {
    const port = await findFreePort()
    const redisDir = path.join(dataDir, 'redis')
    const foreign = spawnIn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--save', ''], redisDir)
    await eventually(async () => ((await redisPing(port)) ? true : undefined), 10_000, 'foreign redis-server answers')
    await rm(path.join(dataDir, 'services.json'), { force: true })

    let caught: unknown
    try {
      const services = await resolveServices({ dataDir, redisUrl: undefined, influxUrl: undefined, autoInstall: 'no', log: quiet, purpose: 'command' })
      await services.stop()
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LookoutError)
    expect((caught as LookoutError).code).toBe('SERVICE_START_FAILED')
    expect((caught as LookoutError).message).toContain(`redis-server (pid ${foreign.pid})`)
    expect(isRunning(foreign.pid!)).toBe(true)
    expect(await serversOn('redis-server', redisDir)).toEqual([foreign.pid])
  })
})
