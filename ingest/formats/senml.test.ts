import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MAX_SENML_RECORDS, parseSenml, resolveSenml, senmlMetricName, type ResolvedSenmlRecord } from './senml.ts'
import type { FormatRejectReason } from './types.ts'

const fixture = (file: string): unknown => JSON.parse(readFileSync(new URL(`fixtures/senml/${file}`, import.meta.url), 'utf8'))
const ms = (seconds: number): number => Math.round(seconds * 1000)
/** What the resolved fixtures can be compared on (fixtures/senml/SOURCE.md): name, unit, values, time in ms. */
const comparable = (r: Partial<ResolvedSenmlRecord>) => ({ n: r.n, u: r.u, v: r.v, vs: r.vs, vb: r.vb, t: ms(r.t ?? Number.NaN) })

describe('resolveSenml: the RFC 8428 examples resolve to the spec authors\' resolved forms', () => {
  // records without a time were resolved by the generator at its "now" (SOURCE.md): inject that now
  const cases = [
    { ex: 'ex1', now: 1.498780179e9 },
    { ex: 'ex2', now: 1.498780179e9 },
    { ex: 'ex3', now: 1.3e9 },
    { ex: 'ex4', now: 1.33e9 },
    { ex: 'ex5', now: 1.33e9 },
    { ex: 'ex6', now: 1.33e9 },
    { ex: 'ex7', now: 1.499109309e9 },
    { ex: 'ex8', now: 1.33e9 },
    { ex: 'ex9', now: 1.498780179e9 },
    { ex: 'ex10', now: 1.3e9 },
    { ex: 'ex11', now: 1.3e9 },
    { ex: 'ex12', now: 1.33e9 },
  ]
  it.each(cases)('$ex', ({ ex, now }) => {
    const result = resolveSenml(fixture(`${ex}.json`), ms(now))
    if (!result.ok) throw new Error(result.detail)
    // §4.6 wants chronological order, which ex3's resolved file does not keep: compare with it sorted (stable)
    const expected = (fixture(`${ex}.gen.resolved.json`) as ResolvedSenmlRecord[]).sort((a, b) => a.t - b.t)
    // the generator dropped ex7's vd record; we keep it (asserted below)
    const ours = result.value.filter((r) => r.vd === undefined)
    expect(ours.map(comparable)).toEqual(expected.map(comparable))
  })

  it('every printed form (exN.gen.json) resolves like its source (exN.json)', () => {
    for (const ex of ['ex1', 'ex2', 'ex3', 'ex4', 'ex5', 'ex6', 'ex7', 'ex8', 'ex9', 'ex10', 'ex11', 'ex12', 'ex13']) {
      expect(resolveSenml(fixture(`${ex}.gen.json`), ms(1.5e9)), ex).toEqual(resolveSenml(fixture(`${ex}.json`), ms(1.5e9)))
    }
  })

  it('ex3: records are in chronological order and carry bver 5 (§4.6: the version is in every resolved record when not 10)', () => {
    const result = resolveSenml(fixture('ex3.json'), ms(1.3e9))
    if (!result.ok) throw new Error(result.detail)
    const times = result.value.map((r) => r.t)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(result.value.every((r) => r.bver === 5)).toBe(true)
    // voltage and the last current share the base time; pack order is kept between them
    expect(result.value.slice(-2).map((r) => r.n)).toEqual(['urn:dev:ow:10e2073a0108006:voltage', 'urn:dev:ow:10e2073a0108006:current'])
  })

  it('ex7: the vd (data value) record is kept', () => {
    const result = resolveSenml(fixture('ex7.json'), ms(1.499109309e9))
    expect(result.ok && result.value.find((r) => r.vd !== undefined)).toEqual({ n: 'urn:dev:ow:10e2073a01080063:nfv-reader', vd: 'aGkgCg', t: 1.499109309e9 })
  })

  it('ex9: a record with only a base name resolves to nothing', () => {
    const result = resolveSenml(fixture('ex9.json'), ms(1.498780179e9))
    expect(result.ok && result.value.map((r) => r.n)).toEqual(['urn:dev:ow:10e2073a01080063:temp', 'urn:dev:ow:10e2073a01080063:heat', 'urn:dev:ow:10e2073a01080063:fan'])
  })

  it('ex13 (no resolved file): 100 ms later both lights go off', () => {
    const result = resolveSenml(fixture('ex13.json'), ms(1.33e9))
    expect(result.ok && result.value).toEqual<ResolvedSenmlRecord[]>([
      { n: '2001:db8::3', u: '/', v: 0.5, t: 1320078429 },
      { n: '2001:db8::4', u: '/', v: 0.5, t: 1320078429 },
      { n: '2001:db8::3', u: '/', v: 0, t: 1320078429.1 },
      { n: '2001:db8::4', u: '/', v: 0, t: 1320078429.1 },
    ])
  })

  it('base value and base sum are added; a time below 2**28 is relative to now', () => {
    const now = Date.parse('2026-11-21T10:00:00Z')
    const result = resolveSenml([{ bn: 'meter:', bv: 100, bs: 5000, n: 'a', v: 1, s: 10, t: -60 }, { n: 'b', v: 2 }], now)
    expect(result.ok && result.value).toEqual([
      { n: 'meter:a', v: 101, s: 5010, t: (now - 60_000) / 1000 },
      { n: 'meter:b', v: 102, s: 5000, t: now / 1000 },
    ])
  })
})

describe('parseSenml: readings by time, through the vocabulary', () => {
  it('docs/domain.md C3: four readings now, the leak ten minutes earlier', () => {
    const pack = [
      { bn: 'urn:dev:mac:24e124707c123456:', bt: 1736926930, n: 'temperature', u: 'Cel', v: 30.8 },
      { n: 'humidity', u: '%RH', v: 50.5 },
      { n: 'co2', u: 'ppm', v: 1255 },
      { n: 'battery', u: '%EL', v: 92 },
      { n: 'leak', vb: false, t: -600 },
    ]
    expect(parseSenml(pack, Date.parse('2025-01-15T07:42:30Z'))).toEqual({
      ok: true,
      value: [
        { ts: 1736926330000, metrics: { leak: 0 }, events: [], unmapped: {} },
        { ts: 1736926930000, metrics: { temperature: 30.8, humidity: 50.5, co2: 1255, battery: 92 }, events: [], unmapped: {} },
      ],
    })
  })

  const cases: { ex: string; now: number; expected: unknown[] }[] = [
    { ex: 'ex1', now: 1.5e9, expected: [{ ts: 1.5e12, metrics: { temperature: 23.1 }, events: [], unmapped: {} }] },
    { ex: 'ex2', now: 1.5e9, expected: [{ ts: 1.5e12, metrics: { voltage: 120.1, current: 1.2 }, events: [], unmapped: {} }] },
    {
      ex: 'ex7',
      now: 1.5e9,
      expected: [{ ts: 1.5e12, metrics: { temperature: 23.1, contact: 0 }, events: [], unmapped: { label: 'Machine Room', 'nfv-reader': 'aGkgCg' } }],
    },
    {
      ex: 'ex6',
      now: 1.33e9,
      expected: [
        {
          ts: 1320078429000,
          metrics: { temperature: 25.2, humidity: 30 },
          events: [],
          unmapped: { temperature: '12.3 Cel', humidity: '67 %RH' },
        },
      ],
    },
    {
      ex: 'ex12',
      now: 1.33e9,
      expected: [{ ts: 1320078429000, metrics: {}, events: [], unmapped: { '3': '1 /', '4': '1 /' } }],
    },
  ]
  it.each(cases)('$ex', ({ ex, now, expected }) => {
    expect(parseSenml(fixture(`${ex}.json`), ms(now))).toEqual({ ok: true, value: expected })
  })

  it('ex5: one reading per time; lat/lon have no canonical metric and are kept', () => {
    const result = parseSenml(fixture('ex5.json'), ms(1.33e9))
    if (!result.ok) throw new Error(result.detail)
    expect(result.value.map((r) => r.ts)).toEqual([1320067464000, 1320067524000, 1320067584000, 1320067614000, 1320067644000])
    expect(result.value[0]).toEqual({
      ts: 1320067464000,
      metrics: { humidity: 20 },
      events: [],
      unmapped: { '10e2073a01080063': '24.30621 lon', '10e2073a01080063#2': '60.07965 lat' },
    })
    expect(result.value[3]).toEqual({ ts: 1320067614000, metrics: { battery: 98 }, events: [], unmapped: {} })
  })

  it('a sum in W is an energy in kWh', () => {
    const now = 1.5e12
    expect(parseSenml([{ n: 'meter:power', u: 'W', v: 500, s: 7_200_000 }], now)).toEqual({
      ok: true,
      value: [{ ts: now, metrics: { power: 500, energy: 2 }, events: [], unmapped: {} }],
    })
  })

  it('water context maps a temperature to water_temperature', () => {
    expect(parseSenml([{ n: 'temperature', u: 'Cel', v: 55 }], 1.5e12, { context: 'water' })).toEqual({
      ok: true,
      value: [{ ts: 1.5e12, metrics: { water_temperature: 55 }, events: [], unmapped: {} }],
    })
  })

  it.each([
    ['urn:dev:ow:10e2073a01080063:voltage', 'voltage'],
    ['2001:db8::2/temperature', 'temperature'],
    ['urn:dev:ow:10e2073a01080063', '10e2073a01080063'],
    ['temperature', 'temperature'],
    ['a/b:c/d', 'd'],
  ])('senmlMetricName(%s) = %s', (name, metric) => {
    expect(senmlMetricName(name)).toBe(metric)
  })
})

describe('SenML packs that are refused', () => {
  const now = Date.parse('2026-11-21T10:00:00Z')
  const nowS = now / 1000
  const cases: { name: string; pack: unknown; reason: FormatRejectReason; detail: RegExp }[] = [
    { name: 'not an array', pack: { n: 'a', v: 1 }, reason: 'senml_invalid', detail: /JSON array/ },
    { name: 'no records', pack: [], reason: 'senml_invalid', detail: /no records/ },
    { name: 'too many records', pack: Array.from({ length: MAX_SENML_RECORDS + 1 }, () => ({ n: 'a', v: 1 })), reason: 'senml_invalid', detail: /257 records; the limit is 256/ },
    { name: 'a record that is not an object', pack: [{ n: 'a', v: 1 }, 'secretvalue'], reason: 'senml_invalid', detail: /^\[1\] is not a JSON object/ },
    { name: 'v as text', pack: [{ n: 'a', v: '21.5' }], reason: 'senml_invalid', detail: /^\[0\]\.v must be a number/ },
    { name: 'vb as a number', pack: [{ n: 'a', vb: 1 }], reason: 'senml_invalid', detail: /vb must be a boolean/ },
    { name: 'bn as a number', pack: [{ bn: 5, v: 1 }], reason: 'senml_invalid', detail: /bn must be a string/ },
    { name: 'bver above 10', pack: [{ bver: 11, n: 'a', v: 1 }], reason: 'senml_invalid', detail: /newer than SenML version 10/ },
    { name: 'bver 0', pack: [{ bver: 0, n: 'a', v: 1 }], reason: 'senml_invalid', detail: /positive integer/ },
    { name: 'bver not an integer', pack: [{ bver: 5.5, n: 'a', v: 1 }], reason: 'senml_invalid', detail: /positive integer/ },
    { name: 'two versions in one pack', pack: [{ bver: 5, n: 'a', v: 1 }, { bver: 10, n: 'b', v: 1 }], reason: 'senml_invalid', detail: /same version/ },
    { name: 'a must-understand label', pack: [{ n: 'a', v: 1, foo_: 'secretvalue' }], reason: 'senml_invalid', detail: /labels ending in "_"/ },
    { name: 'two value fields', pack: [{ n: 'a', v: 1, vs: 'secretvalue' }], reason: 'senml_invalid', detail: /more than one value field \(v, vs\)/ },
    { name: 'no value and no sum', pack: [{ n: 'a', u: 'Cel' }], reason: 'senml_invalid', detail: /no value/ },
    { name: 'empty name', pack: [{ v: 1 }], reason: 'senml_invalid', detail: /resolved name/ },
    { name: 'name starting with "-"', pack: [{ n: '-secretname', v: 1 }], reason: 'senml_invalid', detail: /§4\.5\.1/ },
    { name: 'name with a space', pack: [{ bn: 'urn:dev:', n: 'secret name', v: 1 }], reason: 'senml_invalid', detail: /§4\.5\.1/ },
    { name: 'name too long', pack: [{ n: 'a'.repeat(257), v: 1 }], reason: 'senml_invalid', detail: /longer than 256/ },
    { name: 'vd not base64url', pack: [{ n: 'a', vd: 'secret+value/' }], reason: 'senml_invalid', detail: /base64url/ },
    { name: 'non-finite time', pack: JSON.parse('[{"n":"a","v":1,"t":1e400}]'), reason: 'senml_invalid', detail: /t must be a finite number/ },
    { name: 'absolute time 10 minutes ahead', pack: [{ n: 'a', v: 1, t: nowS + 600 }], reason: 'timestamp_in_future', detail: /more than 5 minutes ahead/ },
    { name: 'relative time 10 minutes ahead', pack: [{ n: 'a', v: 1, t: 600 }], reason: 'timestamp_in_future', detail: /more than 5 minutes ahead/ },
    { name: 'a clock that is not set (1999)', pack: [{ bt: 946684799, n: 'a', v: 1 }], reason: 'payload_invalid', detail: /before 2000/ },
    { name: 'a key that could pollute prototypes', pack: JSON.parse('[{"n":"a","v":1,"__proto__":{"x":1}}]'), reason: 'payload_invalid', detail: /\[0\]\.__proto__ is not allowed/ },
  ]
  it.each(cases)('$name → $reason', ({ pack, reason, detail }) => {
    const result = parseSenml(pack, now)
    expect(result).toEqual({ ok: false, reason, detail: expect.stringMatching(detail) })
    if (!result.ok) expect(result.detail).not.toMatch(/secret/)
  })

  it('relative time within 5 minutes ahead is drift, not a fault', () => {
    expect(parseSenml([{ n: 'a', v: 1, t: 120 }], now).ok).toBe(true)
  })
})
