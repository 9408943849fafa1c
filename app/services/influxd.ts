/**
 * A project-local influxd (InfluxDB 1.x, as Debian packages it). HTTP and the RPC (backup) port
 * listen on 127.0.0.1 only; usage reporting, the _internal monitor database and the series
 * cardinality limits are off. It runs inside its folder and writes its own pid to `influxd.pid`
 * there (removed when it exits cleanly).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startChildService, type ChildService } from './child-service.ts'

export const INFLUXD_PID_FILE = 'influxd.pid'

async function influxPing(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })
    await res.arrayBuffer()
    return res.status === 204
  } catch {
    return false
  }
}

export async function startInfluxd(options: { binary: string; dir: string; httpPort: number; rpcPort: number }): Promise<ChildService> {
  await mkdir(options.dir, { recursive: true })
  const conf = path.join(options.dir, 'influxdb.conf')
  const url = `http://127.0.0.1:${options.httpPort}`
  await writeFile(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${options.rpcPort}"`,
      '[meta]',
      `  dir = "${path.join(options.dir, 'meta')}"`,
      '  logging-enabled = false',
      '[data]',
      `  dir = "${path.join(options.dir, 'data')}"`,
      `  wal-dir = "${path.join(options.dir, 'wal')}"`,
      '  query-log-enabled = false',
      // no cardinality limits: past them InfluxDB refuses points Lookout already acknowledged (docs/errors.md)
      '  max-values-per-tag = 0',
      '  max-series-per-database = 0',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${options.httpPort}"`,
      '  log-enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  )
  return startChildService({
    name: 'influxd',
    command: options.binary,
    args: ['run', '-config', conf, '-pidfile', path.join(options.dir, INFLUXD_PID_FILE)],
    logFile: path.join(options.dir, 'influxd.log'),
    cwd: options.dir,
    url,
    isReady: () => influxPing(url),
  })
}
