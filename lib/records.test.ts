import { describe, it, expect } from 'vitest'
import { IngestRecord, partitionOf } from './records.ts'

describe('partitionOf', () => {
  const partitionCounts = [1, 2, 3, 4, 7, 256]
  it.each(partitionCounts.map((partitions) => ({ name: `stays in [0, ${partitions}) for 2,000 ids`, partitions })))('$name', ({ partitions }) => {
    const seen = new Set<number>()
    for (let i = 0; i < 2000; i++) {
      const p = partitionOf(`dev-${i}`, partitions)
      expect(Number.isInteger(p) && p >= 0 && p < partitions, `dev-${i} → ${p}`).toBe(true)
      seen.add(p)
    }
    expect(seen.size).toBe(partitions)
  })

  it('gives each id the same partition on a second pass in reverse order', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `sensor-${i}`)
    const first = ids.map((id) => partitionOf(id, 7))
    const second = [...ids].reverse().map((id) => partitionOf(id, 7)).reverse()
    expect(second).toEqual(first)
    expect(new Set(first).size).toBe(7)
  })

  const known = [
    { name: 'hashes the empty id to the FNV offset basis mod 4', id: '', partitions: 4, expected: 0x811c9dc5 % 4 },
    { name: 'matches FNV-1a 32-bit of "a" (0xe40c292c)', id: 'a', partitions: 1 << 30, expected: 0xe40c292c % (1 << 30) },
    { name: 'matches FNV-1a 32-bit of "foobar" (0xbf9cf968)', id: 'foobar', partitions: 1 << 30, expected: 0xbf9cf968 % (1 << 30) },
  ]
  it.each(known)('$name', ({ id, partitions, expected }) => {
    expect(partitionOf(id, partitions)).toBe(expected)
  })

  it('spreads 10,000 ids over 4 partitions with each holding 20% to 30%', () => {
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`pendant-${i}`, 4)]! += 1
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(2000)
      expect(count).toBeLessThanOrEqual(3000)
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000)
  })
})

describe('IngestRecord', () => {
  const base = { tenant: 'acme', deviceId: 'pendant-001', site: 'flat-12', deviceType: 'pendant', timeZone: 'Europe/London', ts: 1795255200000, receivedAt: 1795255200040 }

  const valid = [
    { name: 'accepts an event record', record: { ...base, kind: 'event', eventType: 'pendant.pressed' } },
    { name: 'accepts a telemetry record', record: { ...base, kind: 'telemetry', metrics: { temperature: 17.5, humidity: 72 } } },
  ]
  it.each(valid)('$name', ({ record }) => {
    expect(IngestRecord.parse(record)).toEqual(record)
  })

  const invalid = [
    { name: "rejects kind 'other'", record: { ...base, kind: 'other', eventType: 'pendant.pressed' } },
    { name: 'rejects a record without kind', record: { ...base, eventType: 'pendant.pressed' } },
    { name: 'rejects an event record without eventType', record: { ...base, kind: 'event' } },
    { name: 'rejects a telemetry record with a string metric', record: { ...base, kind: 'telemetry', metrics: { temperature: '17.5' } } },
    { name: 'rejects a fractional ts', record: { ...base, kind: 'event', eventType: 'pendant.pressed', ts: 1.5 } },
    { name: 'rejects a record without tenant', record: { ...base, tenant: undefined, kind: 'event', eventType: 'pendant.pressed' } },
  ]
  it.each(invalid)('$name', ({ record }) => {
    expect(IngestRecord.safeParse(record).success).toBe(false)
  })
})
