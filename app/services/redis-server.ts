/**
 * A project-local redis-server: AOF on (`appendfsync everysec`) and `maxmemory-policy noeviction`,
 * as BullMQ requires for jobs to survive restarts and never be evicted. Listens on 127.0.0.1 only.
 * It writes its own pid to `redis-server.pid` in its folder (removed when it exits cleanly), so a
 * server orphaned before services.json named it is still known as ours.
 */
import net from 'node:net'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startChildService, type ChildService } from './child-service.ts'

export const REDIS_PID_FILE = 'redis-server.pid'

export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

export async function startRedisServer(options: { binary: string; dir: string; port: number }): Promise<ChildService> {
  await mkdir(options.dir, { recursive: true })
  const conf = path.join(options.dir, 'redis.conf')
  await writeFile(
    conf,
    [
      `port ${options.port}`,
      'bind 127.0.0.1',
      'protected-mode yes',
      `dir "${options.dir}"`,
      `pidfile "${path.join(options.dir, REDIS_PID_FILE)}"`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'maxmemory-policy noeviction',
      'daemonize no',
      `logfile ""`,
      '',
    ].join('\n'),
  )
  return startChildService({
    name: 'redis-server',
    command: options.binary,
    args: [conf],
    logFile: path.join(options.dir, 'redis.log'),
    cwd: options.dir,
    url: `redis://127.0.0.1:${options.port}`,
    isReady: () => redisPing(options.port),
  })
}
