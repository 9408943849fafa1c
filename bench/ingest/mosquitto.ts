/**
 * A throwaway Mosquitto broker (Debian's /usr/sbin/mosquitto) with its own config file: one
 * listener on 127.0.0.1, anonymous clients, no persistence. The per-client limits are written out
 * at Mosquitto's defaults so that the reader sees them: at most 20 QoS 1 messages in flight to a
 * subscriber and 1000 more queued for it; beyond that Mosquitto drops messages for that subscriber
 * (and counts them in $SYS/broker/publish/messages/dropped, which `watchDrops` follows).
 */
import net from 'node:net'
import path from 'node:path'
import { mkdir, writeFile } from 'node:fs/promises'
import mqtt from 'mqtt'
import type { Logger } from '../../lib/logger.ts'
import { findFreePort } from '../../app/services/index.ts'
import { binaries, logTail } from './common.ts'
import { startProcess, waitUntil, type Proc, type Scope } from './processes.ts'

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export async function startMosquitto(scope: Scope, dir: string, log: Logger): Promise<{ proc: Proc; port: number; url: string }> {
  const binary = await binaries.mosquitto(log)
  await mkdir(dir, { recursive: true })
  const port = await findFreePort()
  const conf = path.join(dir, 'mosquitto.conf')
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_inflight_messages 20',
      'max_queued_messages 1000',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      // $SYS every second, for the count of messages dropped at those limits
      'sys_interval 1',
      '',
    ].join('\n'),
  )
  const logFile = path.join(dir, 'mosquitto.log')
  const proc = await startProcess(scope, { name: 'mosquitto', command: binary, args: ['-c', conf], logFile })
  if (!(await waitUntil(async () => proc.running() && (await accepts(port)), 10_000))) {
    throw new Error(`mosquitto did not listen on ${port}; ${await logTail(logFile)}`)
  }
  return { proc, port, url: `mqtt://127.0.0.1:${port}` }
}

/** Follows Mosquitto's count of messages dropped at its per-client limits (updated every second). */
export async function watchDrops(url: string) {
  let dropped = 0
  const client = await mqtt.connectAsync(url, { clientId: 'bench-sys-watch', reconnectPeriod: 0 })
  client.on('message', (_topic, payload) => {
    dropped = Number(payload.toString())
  })
  await client.subscribeAsync('$SYS/broker/publish/messages/dropped', { qos: 0 })
  return {
    dropped: () => dropped,
    close: () => client.endAsync(),
  }
}
