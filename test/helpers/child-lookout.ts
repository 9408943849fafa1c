/**
 * `lookout start` as a child process (for the kill -9 tests): started with `env`, resolved once
 * /healthz answers 200; its stdout and stderr are appended to `log.output` for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { findFreePort } from '../../app/services/index.ts'
import { eventually } from './lookout.ts'

const BIN = path.resolve(import.meta.dirname, '../../bin/lookout.js')

export async function startChildLookout(env: NodeJS.ProcessEnv, log: { output: string }): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (d: Buffer) => (log.output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (log.output += d.toString()))
  await eventually(
    async () => ((await fetch(`http://127.0.0.1:${env.LOOKOUT_HTTP_PORT}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined),
    20_000,
    `lookout healthy (output so far: ${log.output.slice(-500)})`,
  )
  return child
}

/** The environment of a `lookout start` that provisions its own Redis and InfluxDB in `dataDir`, on free ports. */
export async function provisioningEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const { REDIS_URL: _r, INFLUX_URL: _i, ...rest } = process.env
  return {
    ...rest,
    LOOKOUT_DATA_DIR: dataDir,
    LOOKOUT_MQTT_PORT: String(await findFreePort()),
    LOOKOUT_HTTP_PORT: String(await findFreePort()),
    LOOKOUT_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  }
}
