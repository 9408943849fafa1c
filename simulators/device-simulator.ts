/**
 * A simulated device: connects with its credentials over MQTT, publishes events or telemetry at
 * QoS 1, and reports what the broker said (acknowledged, or the reason from devices/<id>/errors).
 */
import mqtt from 'mqtt'

export interface SimulationOptions {
  url: string
  deviceId: string
  password: string
  channel: 'events' | 'telemetry'
  /** The JSON body of each message, given the message number and the time. */
  message: (n: number, now: Date) => Record<string, unknown>
  count: number
  intervalMs: number
}

export interface SimulationReport {
  published: number
  acknowledged: number
  rejected: { reason: string; detail: string }[]
}

export async function simulateDevice(options: SimulationOptions): Promise<SimulationReport> {
  const client = await mqtt.connectAsync(options.url, {
    clientId: options.deviceId,
    username: options.deviceId,
    password: options.password,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  })
  const report: SimulationReport = { published: 0, acknowledged: 0, rejected: [] }
  client.on('message', (_topic, payload) => {
    try {
      const body = JSON.parse(payload.toString()) as { reason: string; detail: string }
      report.rejected.push({ reason: body.reason, detail: body.detail })
    } catch {
      // not ours to interpret
    }
  })
  try {
    await client.subscribeAsync(`devices/${options.deviceId}/errors`, { qos: 0 })
    for (let n = 0; n < options.count; n++) {
      if (n > 0) await new Promise((r) => setTimeout(r, options.intervalMs))
      const body = JSON.stringify(options.message(n, new Date()))
      report.published++
      await client.publishAsync(`devices/${options.deviceId}/${options.channel}`, body, { qos: 1 })
      report.acknowledged++
    }
    // rejections arrive just after the acknowledgement
    await new Promise((r) => setTimeout(r, 200))
  } finally {
    await client.endAsync()
  }
  return report
}
