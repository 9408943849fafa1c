/**
 * `lookout start` (what `npm start` runs) with no REDIS_URL / INFLUX_URL: it provisions redis-server
 * and influxd as children with data under LOOKOUT_DATA_DIR, serves, stops them on SIGTERM, and the
 * data survives a restart.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provisioningEnv } from './helpers/child-lookout.ts'
import { eventually } from './helpers/lookout.ts'

const run = promisify(execFile)
const BIN = path.resolve(import.meta.dirname, '../bin/lookout.js')

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('lookout start with local provisioning', () => {
  let dataDir: string
  let env: NodeJS.ProcessEnv
  let server: ChildProcess | undefined
  let output = ''

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lookout-start-'))
    env = await provisioningEnv(dataDir)
  })
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL')
    await rm(dataDir, { recursive: true, force: true })
  })

  function startServer(): ChildProcess {
    const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    return child
  }

  async function healthy(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${env.LOOKOUT_HTTP_PORT}/healthz`)).status === 200
    } catch {
      return false
    }
  }

  it('comes up healthy with its own Redis and InfluxDB', async () => {
    server = startServer()
    await eventually(async () => ((await healthy()) ? true : undefined), 45_000, `healthy start; output so far:\n${output}`)
    expect(output).toContain('started local redis-server')
    expect(output).toContain('started local influxd')
  })

  it('refuses a second start on the same data folder', async () => {
    const second = await run(process.execPath, [BIN, 'start'], { env, timeout: 20_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e)
    expect((second as { code: number }).code).toBe(1)
    expect((second as { stderr: string }).stderr).toMatch(/already running from/)
    expect(await healthy()).toBe(true)
  })

  it('lets the CLI register a device through the running instance', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'device', 'add', 'kept-1', '--tenant', 'council-a', '--type', 'pendant'], { env, timeout: 20_000 })
    expect(JSON.parse(stdout)).toMatchObject({ deviceId: 'kept-1', tenant: 'council-a' })
  })

  it('stops its children on SIGTERM and exits 0', async () => {
    const state = JSON.parse(await readFile(path.join(dataDir, 'services.json'), 'utf8')) as { redis: { pid: number }; influx: { pid: number } }
    expect(isAlive(state.redis.pid)).toBe(true)
    expect(isAlive(state.influx.pid)).toBe(true)
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)))
    server!.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(isAlive(state.redis.pid)).toBe(false)
    expect(isAlive(state.influx.pid)).toBe(false)
  })

  it('keeps registered devices across a restart', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'device', 'list', '--tenant', 'council-a'], { env, timeout: 30_000 })
    expect((JSON.parse(stdout) as { devices: { deviceId: string }[] }).devices.map((d) => d.deviceId)).toEqual(['kept-1'])
  })
})
