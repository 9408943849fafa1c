/**
 * A LoRaWAN panic button registered as a pendant raises the manual-alarm P1 (R01), whatever
 * network server and decoder it arrives through (docs/decisions/0011-button-events-by-device-type.md):
 * every device-repository example of every shipped decoder that carries a button press is sent, as
 * real bytes, in a ChirpStack v4 and a The Things Stack v3 uplink by a registered integration over
 * the real broker, and must give an open P1 R01 alert. The network servers' own decoded objects
 * (Milesight's WS101 decoders, the device repository's TBPB100 decoder on TTS) do the same. The
 * same uplinks from a button used as a doorbell (an activity-sensor) are stored and raise nothing.
 */
import type { MqttClient } from 'mqtt'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert } from '../alerts/index.ts'
import { partitionOf } from '../lib/records.ts'
import { codecFixtures, type CodecExample } from '../ingest/codecs/examples.ts'
import { normalizeFields } from '../ingest/vocabulary/index.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'

const TENANT = 'council-btn'
const APP = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'

/** The examples whose decoded output is a button press: each shipped decoder with a button. */
const PRESSES: { model: string; example: CodecExample }[] = codecFixtures().flatMap(({ model, examples }) =>
  examples.filter((e) => e.output.data !== undefined && normalizeFields(e.output.data, { model }).events.includes('button.pressed')).map((example) => ({ model, example })),
)

let devices = 0
function nextDevEui(): string {
  devices++
  return `70b3d5e75e${devices.toString(16).padStart(6, '0')}`
}

describe('a LoRaWAN button on a pendant raises the manual alarm (R01, P1)', () => {
  let lookout: TestLookout
  let chirpstack: MqttClient
  let tts: MqttClient

  beforeAll(async () => {
    lookout = await startTestLookout()
    const cs = await lookout.registry.addIntegration({ tenant: TENANT, kind: 'chirpstack' }, Date.now())
    const t = await lookout.registry.addIntegration({ tenant: TENANT, kind: 'tts' }, Date.now())
    chirpstack = await mqtt.connectAsync(lookout.mqttUrl, { username: cs.username, password: cs.password, clientId: cs.username, reconnectPeriod: 0 })
    tts = await mqtt.connectAsync(lookout.mqttUrl, { username: t.username, password: t.password, clientId: t.username, reconnectPeriod: 0 })
  })
  afterAll(async () => {
    await chirpstack?.endAsync()
    await tts?.endAsync()
    await lookout?.close()
  })

  async function register(deviceId: string, type: string, codec?: string): Promise<string> {
    const devEui = nextDevEui()
    await lookout.registry.addDevice({ deviceId, tenant: TENANT, type, site: 'flat-7', devEui, ...(codec ? { codec } : {}) }, Date.now())
    return devEui
  }

  /** A ChirpStack v4 uplink event: raw bytes, or the device profile codec's object. */
  async function chirpstackUp(devEui: string, input: CodecExample['input'], object?: Record<string, unknown>): Promise<void> {
    const up = {
      deduplicationId: `dd-${devEui}-${Date.now()}`,
      time: new Date().toISOString(),
      deviceInfo: { tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242', applicationId: APP, devEui },
      fPort: input.fPort,
      fCnt: devices,
      data: Buffer.from(input.bytes).toString('base64'),
      ...(object ? { object } : {}),
    }
    await chirpstack.publishAsync(`application/${APP}/device/${devEui}/event/up`, JSON.stringify(up), { qos: 1 })
  }

  /** A The Things Stack v3 uplink message: raw bytes, or the payload formatter's output. */
  async function ttsUp(devEui: string, input: CodecExample['input'], decoded?: { payload: Record<string, unknown>; brand: string; model: string }): Promise<void> {
    const deviceId = `eui-${devEui}`
    const up = {
      end_device_ids: { device_id: deviceId, application_ids: { application_id: 'telecare' }, dev_eui: devEui.toUpperCase() },
      correlation_ids: [`as:up:${devEui}${Date.now()}`],
      received_at: new Date().toISOString(),
      uplink_message: {
        f_port: input.fPort,
        f_cnt: devices,
        frm_payload: Buffer.from(input.bytes).toString('base64'),
        ...(decoded ? { decoded_payload: decoded.payload, version_ids: { brand_id: decoded.brand, model_id: decoded.model } } : {}),
      },
    }
    await tts.publishAsync(`v3/telecare@ttn/devices/${deviceId}/up`, JSON.stringify(up), { qos: 1 })
  }

  async function openAlertOf(deviceId: string): Promise<Alert> {
    const found = (alerts: Alert[]) => alerts.find((a) => a.deviceId === deviceId && a.rule === 'R01')
    return eventually(async () => found(await lookout.alerts.list(TENANT, { status: 'open', limit: 500 })), 10_000, `an open R01 alert for ${deviceId}`)
  }

  function expectManualAlarm(alert: Alert, deviceId: string): void {
    expect(alert).toMatchObject({ tenant: TENANT, deviceId, deviceType: 'pendant', site: 'flat-7', rule: 'R01', priority: 'P1', status: 'open' })
  }

  it('finds a button in the examples of the Browan TBPB100 and the Milesight WS101 decoders', () => {
    expect([...new Set(PRESSES.map((p) => p.model))]).toEqual(['browan/tbpb100', 'milesight-iot/ws101'])
  })

  for (const [n, { model, example }] of PRESSES.entries()) {
    it(`${model} "${example.description}" as a ChirpStack v4 uplink (bytes through the built-in decoder), on a pendant`, async () => {
      const deviceId = `cs-pendant-${n}`
      const devEui = await register(deviceId, 'pendant', model)
      await chirpstackUp(devEui, example.input)
      expectManualAlarm(await openAlertOf(deviceId), deviceId)
    })

    it(`${model} "${example.description}" as a The Things Stack v3 uplink (bytes through the built-in decoder), on a pendant`, async () => {
      const deviceId = `tts-pendant-${n}`
      const devEui = await register(deviceId, 'pendant', model)
      await ttsUp(devEui, example.input)
      expectManualAlarm(await openAlertOf(deviceId), deviceId)
    })
  }

  it("Milesight's own network-server decoders' objects for a WS101 press (press, button_event.status), on a pendant with no codec", async () => {
    const short = { fPort: 85, bytes: [0xff, 0x2e, 0x01] }
    const objects = [
      { battery: 90, press: 'short' },
      { battery: 90, press: 'long' },
      { battery: 90, button_event: { status: 'double press' } },
      { battery: 90, button_event: { status: 'long press' } },
    ]
    for (const [i, object] of objects.entries()) {
      const deviceId = `ns-pendant-${i}`
      const devEui = await register(deviceId, 'pendant')
      await chirpstackUp(devEui, short, object)
      expectManualAlarm(await openAlertOf(deviceId), deviceId)
    }
  })

  it("the device repository's TBPB100 decoder run by The Things Stack (decoded payload, version ids), on a pendant with no codec", async () => {
    const { example } = PRESSES.find((p) => p.model === 'browan/tbpb100')!
    const deviceId = 'tts-decoded-pendant'
    const devEui = await register(deviceId, 'pendant')
    await ttsUp(devEui, example.input, { payload: example.output.data!, brand: 'browan', model: 'tbpb100' })
    expectManualAlarm(await openAlertOf(deviceId), deviceId)
  })

  it('a pull-cord with a LoRaWAN button raises R01 too', async () => {
    const { model, example } = PRESSES.find((p) => p.model === 'milesight-iot/ws101')!
    const devEui = await register('cord-bathroom', 'pull-cord', model)
    await chirpstackUp(devEui, example.input)
    expect(await openAlertOf('cord-bathroom')).toMatchObject({ deviceType: 'pull-cord', rule: 'R01', priority: 'P1' })
  })

  it('the same presses from a button used as a doorbell (activity-sensor) are stored as button.pressed and raise nothing', async () => {
    const quiet: string[] = []
    for (const [n, { model, example }] of PRESSES.entries()) {
      const deviceId = `doorbell-${n}`
      quiet.push(deviceId)
      const devEui = await register(deviceId, 'activity-sensor', model)
      await chirpstackUp(devEui, example.input)
    }
    // fences: after each doorbell's press (acknowledged, so queued first), a pendant press in the same
    // rule partition; a partition runs its jobs in order, so once the fence's alert is there the
    // doorbell's press has been through the rules
    const partitions = lookout.config.rulePartitions
    const { model, example } = PRESSES.find((p) => p.model === 'milesight-iot/ws101')!
    for (const partition of new Set(quiet.map((d) => partitionOf(d, partitions)))) {
      let k = 0
      while (partitionOf(`fence-${partition}-${k}`, partitions) !== partition) k++
      const fence = `fence-${partition}-${k}`
      const devEui = await register(fence, 'pendant', model)
      await chirpstackUp(devEui, example.input)
      expectManualAlarm(await openAlertOf(fence), fence)
    }
    const all = await lookout.alerts.list(TENANT, { limit: 500 })
    expect(all.filter((a) => quiet.includes(a.deviceId) && a.rule === 'R01')).toEqual([])
    // stored all the same, as a plain button press of an activity sensor
    const series = await eventually(async () => {
      const s = await lookout.influx.query(`SELECT "value" FROM "events" WHERE "device_type" = 'activity-sensor' AND "event" = 'button.pressed' GROUP BY "device"`).catch(() => [])
      return s.length >= quiet.length ? s : undefined
    }, 10_000, 'the doorbell presses in InfluxDB')
    expect(series.map((s) => s.tags?.device).sort()).toEqual([...quiet].sort())
  })
})
