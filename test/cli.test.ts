/**
 * The `lookout` command line against a running instance, and a first event published with the
 * Mosquitto command-line client using the credentials it printed (the README's quick start).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendFence } from './helpers/fence.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'
import { connectDevice } from './helpers/mqtt.ts'

const run = promisify(execFile)
const BIN = path.resolve(import.meta.dirname, '../bin/lookout.js')

async function mosquittoPub(port: string, username: string, password: string) {
  const args = ['-h', '127.0.0.1', '-p', port, '-u', username, '-P', password, '-q', '1', '-t', `devices/${username}/events`, '-m', '{"type":"pendant.pressed"}']
  try {
    await run('mosquitto_pub', args, { timeout: 10_000 })
    return { code: 0, stderr: '', missing: false }
  } catch (err) {
    const e = err as { code: number | string; stderr: string }
    return { code: e.code, stderr: e.stderr ?? '', missing: e.code === 'ENOENT' }
  }
}

describe('lookout command line', () => {
  let lookout: TestLookout
  let env: NodeJS.ProcessEnv

  async function lookoutCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 20_000 })
      return { code: 0, stdout, stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }

  beforeAll(async () => {
    lookout = await startTestLookout()
    env = { ...process.env, REDIS_URL: lookout.redisUrl, LOOKOUT_KEY_PREFIX: lookout.config.keyPrefix, LOG_LEVEL: 'warn' }
  })
  afterAll(async () => {
    await lookout?.close()
  })

  it('device add prints credentials once as JSON and stores only a hash of the password', async () => {
    const { code, stdout } = await lookoutCli('device', 'add', 'cli-pendant', '--tenant', 'council-a', '--type', 'pendant', '--site', 'flat-3')
    expect(code).toBe(0)
    const credentials = JSON.parse(stdout) as Record<string, string>
    expect(Object.keys(credentials).sort()).toEqual(['deviceId', 'password', 'tenant', 'username'])
    expect(credentials).toMatchObject({ deviceId: 'cli-pendant', tenant: 'council-a', username: 'cli-pendant' })
    expect(credentials.password).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const redis = new Redis(lookout.redisUrl)
    try {
      const keys = await redis.keys(`${lookout.config.keyPrefix}:*`)
      for (const key of keys) {
        const type = await redis.type(key)
        const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? await redis.get(key) : JSON.stringify(await redis.smembers(key))
        expect(dump).not.toContain(credentials.password)
      }
      expect(await redis.hget(`${lookout.config.keyPrefix}:device:cli-pendant`, 'secretHash')).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      redis.disconnect()
    }
  })

  it.each([
    { name: 'an existing device id', args: ['device', 'add', 'cli-pendant', '--tenant', 'council-a', '--type', 'pendant'], message: /already registered.*DEVICE_EXISTS/ },
    { name: 'an unknown type', args: ['device', 'add', 'x1', '--tenant', 'council-a', '--type', 'toaster'], message: /type must be one of: pendant/ },
    { name: 'a tenant with capitals', args: ['device', 'add', 'x2', '--tenant', 'Council', '--type', 'pendant'], message: /tenant must be lower-case/ },
    { name: 'a device id with a slash', args: ['device', 'add', 'a/b', '--tenant', 'council-a', '--type', 'pendant'], message: /device id must be/ },
    { name: 'a bad time zone', args: ['device', 'add', 'x3', '--tenant', 'council-a', '--type', 'pendant', '--tz', 'Mars/Base'], message: /time zone/ },
    { name: 'no tenant', args: ['device', 'add', 'x4', '--type', 'pendant'], message: /missing --tenant/ },
    { name: 'an unknown role', args: ['token', 'add', '--tenant', 'council-a', '--role', 'admin'], message: /role must be one of/ },
    { name: 'an unknown command', args: ['frobnicate'], message: /unknown command/ },
  ])('refuses $name with exit code 2 and a clear message', async ({ args, message }) => {
    const { code, stdout, stderr } = await lookoutCli(...args)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(message)
  })

  it('token add prints a token that the API accepts for that tenant only', async () => {
    const { code, stdout } = await lookoutCli('token', 'add', '--tenant', 'council-a', '--role', 'responder')
    expect(code).toBe(0)
    const { token } = JSON.parse(stdout) as { token: string }
    expect((await lookout.api('/api/alerts', { token })).status).toBe(200)
    expect(await lookout.registry.authenticateToken(token)).toMatchObject({ tenant: 'council-a', role: 'responder' })
  })

  it('a press published with mosquitto_pub using those credentials becomes an open P1 alert', async () => {
    const added = await lookoutCli('device', 'add', 'mosq-pendant', '--tenant', 'council-a', '--type', 'pendant')
    const { username, password } = JSON.parse(added.stdout) as Record<string, string>
    const port = new URL(lookout.mqttUrl).port
    // the broker runs in this process: the client must run asynchronously, never with spawnSync
    const pub = await mosquittoPub(port, username!, password!)
    expect(pub.missing, 'mosquitto_pub must be installed (Debian: mosquitto-clients)').toBe(false)
    expect(pub.code).toBe(0)
    const alert = await eventually(async () => (await lookout.alerts.list('council-a', { limit: 5 })).find((a) => a.deviceId === 'mosq-pendant'))
    expect(alert).toMatchObject({ priority: 'P1', status: 'open', rule: 'R01' })

    const wrong = await mosquittoPub(port, username!, 'not-the-password')
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/bad user name or password/i)
  })

  it('registers a LoRaWAN device and a ChirpStack integration whose uplink, sent by mosquitto_pub, is decoded and stored', async () => {
    const device = await lookoutCli('device', 'add', 'cli-am103', '--tenant', 'council-l', '--type', 'environment-sensor', '--dev-eui', '24E124707C00AA01', '--codec', 'milesight-iot/am103')
    expect(device.code).toBe(0)
    const integration = await lookoutCli('integration', 'add', '--tenant', 'council-l', '--kind', 'chirpstack')
    expect(integration.code).toBe(0)
    const credentials = JSON.parse(integration.stdout) as Record<string, string>
    expect(credentials).toMatchObject({ tenant: 'council-l', kind: 'chirpstack' })
    expect(credentials.username).toMatch(/^integration:[A-Za-z0-9]{12}$/)

    const app = '5b7e0c2a-6f8e-4b0e-9a55-2f4f2c1d9e01'
    const up = JSON.stringify({ deduplicationId: 'x1', time: '2026-11-21T07:00:00Z', deviceInfo: { applicationId: app, devEui: '24e124707c00aa01' }, fPort: 85, data: 'AXVcA2c0AQRoZQd95wQ=' })
    const port = new URL(lookout.mqttUrl).port
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-i', credentials.username!, '-u', credentials.username!, '-P', credentials.password!, '-q', '1', '-t', `application/${app}/device/24e124707c00aa01/event/up`, '-m', up], { timeout: 10_000 })
    const series = await eventually(async () => (await lookout.influx.query(`SELECT "temperature", "co2" FROM "telemetry" WHERE "device"::tag = 'cli-am103'`).catch(() => []))[0], 10_000, 'the decoded uplink')
    expect(series.values[0]).toEqual([Date.parse('2026-11-21T07:00:00Z'), 30.8, 1255])
  })

  it('refuses a malformed DevEUI with exit code 2 and says what a DevEUI is', async () => {
    const result = await lookoutCli('device', 'add', 'cli-bad-eui', '--tenant', 'council-l', '--type', 'environment-sensor', '--dev-eui', '24e1', '--codec', 'milesight-iot/am103')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('DevEUI must be 16 hexadecimal digits')
  })

  it('rules set installs a tenant\'s rules, live: a pendant press raises nothing once R01 is off, and again after rules reset', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-cli-rules-'))
    try {
      const added = await lookoutCli('device', 'add', 'cli-rules-pendant', '--tenant', 'council-r', '--type', 'pendant')
      const { username, password } = JSON.parse(added.stdout) as Record<string, string>
      const shown = await lookoutCli('rules', 'show', '--tenant', 'council-r')
      expect(JSON.parse(shown.stdout)).toMatchObject({ tenant: 'council-r', packs: ['responder', 'device-health', 'facilities'] })

      const off = path.join(dir, 'off.yaml')
      // device-health stays on: its tamper rule (H06) lets a fence through while R01 is off
      await writeFile(off, 'tenant: council-r\npacks: [responder, device-health]\noverrides:\n  - { rule: R01, enabled: false }\n')
      const set = await lookoutCli('rules', 'set', '--tenant', 'council-r', off)
      expect(set.code).toBe(0)
      expect(JSON.parse(set.stdout)).toMatchObject({ tenant: 'council-r', packs: ['responder', 'device-health'], overrides: 1, devices: 1 })
      expect(JSON.parse((await lookoutCli('rules', 'show', '--tenant', 'council-r')).stdout)).toMatchObject({ source: off })

      const port = new URL(lookout.mqttUrl).port
      expect((await mosquittoPub(port, username!, password!)).code).toBe(0)
      // acknowledged, so queued: a later event of the same device follows it through its rule partition
      const device = await connectDevice(lookout.mqttUrl, username!, password!)
      const fence = await sendFence(lookout, device, { deviceId: 'cli-rules-pendant', tenant: 'council-r' })
      await device.endAsync()
      expect(await lookout.alerts.list('council-r', { limit: 10 })).toEqual([fence.alert])

      expect((await lookoutCli('rules', 'reset', '--tenant', 'council-r')).code).toBe(0)
      await mosquittoPub(port, username!, password!)
      const alert = await eventually(async () => (await lookout.alerts.list('council-r', { limit: 10 })).find((a) => a.rule === 'R01'), 10_000, 'the alert after reset')
      expect(alert).toMatchObject({ rule: 'R01', priority: 'P1' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    ['a rules file with a bad field', 'tenant: council-r\nrules:\n  - { id: x, kind: threshold, title: X, description: d, priority: P9, appliesTo: { deviceTypes: [pendant] } }\n', /rules\[0\]\.priority.*line 3/s],
    ['another tenant\'s rules file', 'tenant: council-other\npacks: [responder]\n', /rules file of tenant "council-other", not "council-bad"/],
    ['not YAML', 'tenant: [\n', /not valid YAML or JSON/],
  ])('rules set refuses %s with exit code 2, a clear message, and changes nothing', async (_, text, message) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-cli-rules-'))
    try {
      const file = path.join(dir, 'bad.yaml')
      await writeFile(file, text)
      const result = await lookoutCli('rules', 'set', '--tenant', 'council-bad', file)
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(JSON.parse((await lookoutCli('rules', 'show', '--tenant', 'council-bad')).stdout)).toMatchObject({ packs: ['responder', 'device-health', 'facilities'] })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
