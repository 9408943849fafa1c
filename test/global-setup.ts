/**
 * Starts one throwaway redis-server and one influxd for the integration tests, on free ports, with
 * data in a temporary folder that is removed afterwards. Test files isolate themselves from each
 * other by Redis key prefix and InfluxDB database name (test/helpers/lookout.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { createLogger } from '../lib/logger.ts'
import { ensureBinary, findFreePort, startInfluxd, startRedisServer, type ChildService } from '../app/services/index.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
    influxUrl: string
    redisBinary: string
    influxdBinary: string
  }
}

const started: ChildService[] = []
let dir: string | undefined

export async function setup(project: TestProject): Promise<void> {
  const log = createLogger('warn', 'stderr')
  const policy = { autoInstall: 'auto' as const, log }
  const redisBinary = await ensureBinary('redis-server', 'redis-server', 'REDIS_URL', policy)
  const influxdBinary = await ensureBinary('influxd', 'influxdb', 'INFLUX_URL', policy)
  dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-test-'))
  const redis = await startRedisServer({ binary: redisBinary, dir: path.join(dir, 'redis'), port: await findFreePort() })
  started.push(redis)
  const influx = await startInfluxd({ binary: influxdBinary, dir: path.join(dir, 'influxdb'), httpPort: await findFreePort(), rpcPort: await findFreePort() })
  started.push(influx)
  project.provide('redisUrl', redis.url)
  project.provide('influxUrl', influx.url)
  project.provide('redisBinary', redisBinary)
  project.provide('influxdBinary', influxdBinary)
}

export async function teardown(): Promise<void> {
  for (const service of started.reverse()) await service.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
}
