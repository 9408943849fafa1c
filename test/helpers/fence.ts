/**
 * Fences for tests that prove something did not happen. Rather than sleep "long enough", such a test
 * sends a later message down the same ordered path as the one under test and waits for its effect:
 * once the fence has come out at the end, whatever went in before it has too, and an absence can be
 * asserted.
 *
 * The ordered paths: one MQTT connection (the broker handles its packets in order and acknowledges a
 * QoS 1 message only once it is durably queued), a device's rule partition (one job at a time, in
 * queue order), one SSE stream (its replay, then live events, in order), and the store queue into
 * InfluxDB, but only with one store job at a time (STORE_IN_ORDER): several write concurrently and
 * may land out of order.
 */
import type { MqttClient } from 'mqtt'
import type { Alert } from '../../alerts/index.ts'
import { eventually, type TestLookout } from './lookout.ts'

/** For startTestLookout, when a test fences InfluxDB: one store job at a time, so writes land in queue order. */
export const STORE_IN_ORDER = { LOOKOUT_STORE_CONCURRENCY: '1' }

/** H06 (device-health pack) applies to every device type and raises on this event at once. */
const FENCE_EVENT = 'tamper.detected'
const FENCE_RULE = 'H06'

export interface Fence {
  /** The fence event's time, its own: the stored point and the alert's occurredAt. */
  ts: number
  alert: Alert
}

/**
 * Publishes a tamper event with a time of its own from `client`, connected as `device`, and resolves
 * once the event is stored in InfluxDB and its alert raised (through the device's rule partition).
 */
export async function sendFence(lookout: TestLookout, client: MqttClient, device: { deviceId: string; tenant: string }): Promise<Fence> {
  const { deviceId, tenant } = device
  const ts = Date.now()
  await client.publishAsync(`devices/${deviceId}/events`, JSON.stringify({ type: FENCE_EVENT, ts: new Date(ts).toISOString() }), { qos: 1 })
  const alert = await eventually(
    async () => (await lookout.alerts.list(tenant, { limit: 100 })).find((a) => a.deviceId === deviceId && a.rule === FENCE_RULE && Date.parse(a.occurredAt) === ts),
    10_000,
    'the fence alert',
  )
  await eventually(
    async () => {
      const series = await lookout.influx.query(`SELECT "value" FROM "events" WHERE "device"::tag = '${deviceId}' AND time = ${ts}ms`).catch(() => [])
      return series[0]?.values.length ? true : undefined
    },
    10_000,
    'the fence event stored',
  )
  return { ts, alert }
}
