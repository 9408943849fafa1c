/** `lookout start`: provisions Redis/InfluxDB when no URL is set, runs Lookout, stops on SIGTERM/SIGINT. */
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/logger.ts'
import { startLookout } from '../lookout.ts'
import { resolveServices } from '../services/index.ts'
import { onShutdown } from '../shutdown.ts'

export async function startCommand(config: Config, log: Logger): Promise<void> {
  const services = await resolveServices({ ...config, log, purpose: 'server' })
  let running
  try {
    running = await startLookout(config, { redisUrl: services.redisUrl, influxUrl: services.influxUrl! }, log)
  } catch (err) {
    await services.stop()
    throw err
  }
  const lookout = running
  onShutdown(log, async () => {
    await lookout.close()
    await services.stop()
  })
  log.info(
    { mqtt: lookout.mqttPort, http: lookout.httpPort, redis: services.redisUrl, influx: services.influxUrl, provisioned: services.provisioned },
    'Lookout is up',
  )
  // keeps running until a signal arrives
  await new Promise(() => undefined)
}
