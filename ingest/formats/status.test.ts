import { describe, expect, it } from 'vitest'
import { parseDeviceStatus } from './status.ts'
import type { FormatRejectReason } from './types.ts'

const receivedAt = Date.parse('2026-11-21T10:00:00Z')

describe('parseDeviceStatus: accepted', () => {
  const cases: { name: string; json: unknown; expected: unknown }[] = [
    { name: 'heartbeat', json: { status: 'heartbeat' }, expected: { ts: receivedAt, metrics: {}, events: ['status.heartbeat'], unmapped: {} } },
    { name: 'battery level', json: { status: 'battery', battery: 18 }, expected: { ts: receivedAt, metrics: { battery: 18 }, events: [], unmapped: {} } },
    { name: 'battery alone', json: { battery: 64.5 }, expected: { ts: receivedAt, metrics: { battery: 64.5 }, events: [], unmapped: {} } },
    { name: 'mains lost', json: { status: 'mains.lost' }, expected: { ts: receivedAt, metrics: {}, events: ['mains.lost'], unmapped: {} } },
    { name: 'battery low with a level', json: { status: 'battery.low', battery: 9 }, expected: { ts: receivedAt, metrics: { battery: 9 }, events: ['battery.low'], unmapped: {} } },
    { name: 'SCAIP power failure', json: { stc: '0085' }, expected: { ts: receivedAt, metrics: {}, events: ['mains.lost'], unmapped: { stc: '0085' } } },
    { name: 'SCAIP heartbeat', json: { mty: 'PI' }, expected: { ts: receivedAt, metrics: {}, events: ['status.heartbeat'], unmapped: {} } },
    {
      name: 'SCAIP heartbeat of docs/domain.md C5 (PI, local unit, normal state)',
      json: { mty: 'PI', dty: '0048', stc: '0070' },
      expected: { ts: receivedAt, metrics: {}, events: ['status.heartbeat'], unmapped: { stc: '0070', dty: '0048' } },
    },
    {
      name: 'SCAIP test transmission with a PI: one heartbeat',
      json: { mty: 'PI', stc: '0102' },
      expected: { ts: receivedAt, metrics: {}, events: ['status.heartbeat'], unmapped: { stc: '0102' } },
    },
    {
      name: 'SCAIP fall alarm of docs/domain.md C5',
      json: { mty: 'ME', dty: '0005', stc: '0009' },
      expected: { ts: receivedAt, metrics: {}, events: ['fall.detected'], unmapped: { stc: '0009', dty: '0005' } },
    },
    { name: 'manual alarm from a pull-cord', json: { stc: '0010', dty: '0004' }, expected: { ts: receivedAt, metrics: {}, events: ['pullcord.pulled'], unmapped: { stc: '0010', dty: '0004' } } },
    { name: 'manual alarm without dty: a personal trigger (B0)', json: { stc: '0010' }, expected: { ts: receivedAt, metrics: {}, events: ['pendant.pressed'], unmapped: { stc: '0010' } } },
    { name: 'alarm from an enuresis sensor', json: { stc: '0009', dty: '0016' }, expected: { ts: receivedAt, metrics: {}, events: ['alarm.unclassified'], unmapped: { stc: '0009', dty: '0016' } } },
    { name: 'smoke', json: { stc: '0009', dty: '0023' }, expected: { ts: receivedAt, metrics: {}, events: ['smoke.detected'], unmapped: { stc: '0009', dty: '0023' } } },
    { name: 'battery low code and level', json: { stc: '0016', battery: 12 }, expected: { ts: receivedAt, metrics: { battery: 12 }, events: ['battery.low'], unmapped: { stc: '0016' } } },
    { name: 'link restored', json: { stc: '0114' }, expected: { ts: receivedAt, metrics: {}, events: ['link.restored'], unmapped: { stc: '0114' } } },
    { name: 'radio supervision lost', json: { stc: '0123' }, expected: { ts: receivedAt, metrics: {}, events: ['radio.supervision_lost'], unmapped: { stc: '0123' } } },
    { name: 'with ts', json: { status: 'heartbeat', ts: '2026-11-21T09:59:00Z' }, expected: { ts: receivedAt - 60_000, metrics: {}, events: ['status.heartbeat'], unmapped: {} } },
    { name: 'with ts 4 minutes ahead (drift)', json: { status: 'heartbeat', ts: '2026-11-21T10:04:00+00:00' }, expected: { ts: receivedAt + 240_000, metrics: {}, events: ['status.heartbeat'], unmapped: {} } },
  ]
  it.each(cases)('$name', ({ json, expected }) => {
    expect(parseDeviceStatus(json, receivedAt)).toEqual({ ok: true, value: expected })
  })
})

describe('parseDeviceStatus: refused', () => {
  const cases: { name: string; json: unknown; reason: FormatRejectReason; detail: RegExp }[] = [
    { name: 'not an object', json: 'secret', reason: 'payload_invalid', detail: /expected object/ },
    { name: 'empty object', json: {}, reason: 'payload_invalid', detail: /at least one of status, stc, mty or battery/ },
    { name: 'unknown status word', json: { status: 'secretword' }, reason: 'payload_invalid', detail: /^status: / },
    { name: 'an event type that is not device health', json: { status: 'pendant.pressed' }, reason: 'payload_invalid', detail: /^status: / },
    { name: '"battery" without a level', json: { status: 'battery' }, reason: 'payload_invalid', detail: /battery: status "battery" needs battery/ },
    { name: 'battery above 100', json: { battery: 101 }, reason: 'payload_invalid', detail: /^battery: / },
    { name: 'battery as text', json: { battery: '18' }, reason: 'payload_invalid', detail: /^battery: / },
    { name: 'stc not 4 digits', json: { stc: '85' }, reason: 'payload_invalid', detail: /stc must be 4 digits/ },
    { name: 'stc as a number', json: { stc: 85 }, reason: 'payload_invalid', detail: /^stc: / },
    { name: 'dty not 4 digits', json: { stc: '0009', dty: 'secret' }, reason: 'payload_invalid', detail: /dty must be 4 digits/ },
    { name: 'unknown stc', json: { stc: '0001' }, reason: 'status_code_unknown', detail: /stc is not a SCAIP status code Lookout knows/ },
    { name: 'unknown mty', json: { mty: 'XX' }, reason: 'payload_invalid', detail: /^mty: / },
    { name: 'unknown key', json: { status: 'heartbeat', extra: 'secret' }, reason: 'payload_invalid', detail: /Unrecognized key/ },
    { name: 'ts without a time zone', json: { status: 'heartbeat', ts: '2026-11-21T10:00:00' }, reason: 'payload_invalid', detail: /ts must be an ISO 8601 date-time with a time zone/ },
    { name: 'ts 10 minutes ahead', json: { status: 'heartbeat', ts: '2026-11-21T10:10:00Z' }, reason: 'timestamp_in_future', detail: /ts is more than 5 minutes ahead/ },
    { name: 'ts in 1970', json: { status: 'heartbeat', ts: '1970-01-01T00:00:00Z' }, reason: 'payload_invalid', detail: /before 2000/ },
    { name: 'a forbidden key', json: JSON.parse('{"status":"heartbeat","__proto__":{"x":1}}'), reason: 'payload_invalid', detail: /__proto__ is not allowed/ },
  ]
  it.each(cases)('$name → $reason', ({ json, reason, detail }) => {
    const result = parseDeviceStatus(json, receivedAt)
    expect(result).toEqual({ ok: false, reason, detail: expect.stringMatching(detail) })
    if (!result.ok) expect(result.detail).not.toMatch(/secret/)
  })
})
