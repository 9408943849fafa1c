/** Tenants are walls: one tenant's token never reads, streams or acknowledges another's alerts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendFence } from './helpers/fence.ts'
import { connectDevice } from './helpers/mqtt.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'
import { openSse, type SseEvent, type SseReader } from './helpers/sse.ts'

describe('tenant walls in the alert API', () => {
  let lookout: TestLookout
  let tokenA: string
  let tokenB: string
  let alertIdA: string
  let streamB: SseReader
  let deviceB: { username: string; password: string }

  /** Raises an alert of tenant B's own: on each B stream it comes after everything sent there before. */
  async function fenceB(...streams: SseReader[]): Promise<SseEvent[]> {
    const device = await connectDevice(lookout.mqttUrl, deviceB.username, deviceB.password)
    try {
      const { alert } = await sendFence(lookout, device, { deviceId: 'pendant-b1', tenant: 'partner-b' })
      const raised = (stream: SseReader) => eventually(async () => stream.events.find((e) => e.event === 'alert.raised' && (JSON.parse(e.data) as { id: string }).id === alert.id), 5000, 'the fence on the stream')
      return await Promise.all(streams.map(raised))
    } finally {
      await device.endAsync()
    }
  }

  beforeAll(async () => {
    lookout = await startTestLookout()
    tokenA = await lookout.addToken('council-a')
    tokenB = await lookout.addToken('partner-b')
    deviceB = await lookout.addDevice('pendant-b1', 'partner-b')
    streamB = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${tokenB}` })
    const credentials = await lookout.addDevice('pendant-a1', 'council-a')
    const device = await connectDevice(lookout.mqttUrl, credentials.username, credentials.password)
    await device.publishAsync('devices/pendant-a1/events', JSON.stringify({ type: 'pendant.pressed' }), { qos: 1 })
    await device.endAsync()
    const [alert] = await eventually(async () => {
      const alerts = await lookout.alerts.list('council-a', { limit: 5 })
      return alerts.length ? alerts : undefined
    })
    alertIdA = alert!.id
  })

  afterAll(async () => {
    streamB?.close()
    await lookout?.close()
  })

  it('lists none of tenant A\'s alerts to tenant B', async () => {
    const res = await lookout.api('/api/alerts', { token: tokenB })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ alerts: [] })
    const own = (await (await lookout.api('/api/alerts', { token: tokenA })).json()) as { alerts: { id: string }[] }
    expect(own.alerts.map((a) => a.id)).toEqual([alertIdA])
  })

  it('answers 404 to tenant B for tenant A\'s alert, by id and by acknowledgement', async () => {
    expect((await lookout.api(`/api/alerts/${alertIdA}`, { token: tokenB })).status).toBe(404)
    const ack = await lookout.api(`/api/alerts/${alertIdA}/ack`, { method: 'POST', token: tokenB })
    expect(ack.status).toBe(404)
    expect((await lookout.alerts.get('council-a', alertIdA))?.status).toBe('open')
    expect((await lookout.api(`/api/alerts/${alertIdA}`, { token: tokenA })).status).toBe(200)
  })

  it('streams nothing of tenant A to tenant B', async () => {
    const streamA = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${tokenA}` })
    try {
      await lookout.api(`/api/alerts/${alertIdA}/ack`, { method: 'POST', token: tokenA })
      await eventually(async () => streamA.events.find((e) => e.event === 'alert.acknowledged'))
      const [fence] = await fenceB(streamB)
      expect(streamB.events).toEqual([fence])
    } finally {
      streamA.close()
    }
  })

  it('replays nothing of tenant A to tenant B after a Last-Event-ID', async () => {
    const replay = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${tokenB}`, 'last-event-id': '0-0' })
    try {
      // the fence comes live, after the replay: then B has been shown exactly what its live stream saw
      await fenceB(replay, streamB)
      expect(replay.events).toEqual(streamB.events)
    } finally {
      replay.close()
    }
  })
})
