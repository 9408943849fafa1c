import { describe, expect, it } from 'vitest'
import { LookoutError } from '../../lib/errors.ts'
import type { Subject } from '../engine/types.ts'
import { parseRules } from './load.ts'
import { rulesFor } from './resolve.ts'

const subject = (over: Partial<Subject> = {}): Subject => ({
  tenant: 'acme',
  deviceId: 'bed-1',
  deviceType: 'bed-sensor',
  site: 'flat-1',
  timeZone: 'Europe/London',
  resident: 'res-1',
  ...over,
})

function r07(config: ReturnType<typeof parseRules>, s: Subject) {
  return rulesFor(config, s).find((r) => r.id === 'R07')
}

describe('rulesFor: precedence device > resident > site > deviceType > no selector > rule defaults', () => {
  // each level sets R07's withinMinutes to a value that names it
  const config = parseRules({
    tenant: 'acme',
    packs: ['responder'],
    overrides: [
      { rule: 'R07', device: 'bed-1', params: { withinMinutes: 50 } },
      { rule: 'R07', resident: 'res-1', params: { withinMinutes: 40 } },
      { rule: 'R07', site: 'flat-1', params: { withinMinutes: 30 } },
      { rule: 'R07', deviceType: 'bed-sensor', params: { withinMinutes: 20 } },
      { rule: 'R07', params: { withinMinutes: 10 } },
    ],
  })
  const defaults = parseRules({ tenant: 'acme', packs: ['responder'] })
  const cases: { name: string; config: typeof config; subject: Subject; expected: number }[] = [
    { name: 'device wins over all', config, subject: subject(), expected: 50 },
    { name: 'resident next', config, subject: subject({ deviceId: 'bed-2' }), expected: 40 },
    { name: 'site next', config, subject: subject({ deviceId: 'bed-2', resident: 'res-2' }), expected: 30 },
    { name: 'site, for a subject with no resident', config, subject: subject({ deviceId: 'bed-2', resident: undefined }), expected: 30 },
    { name: 'device type next', config, subject: subject({ deviceId: 'bed-2', resident: 'res-2', site: 'flat-2' }), expected: 20 },
    { name: 'the shipped default without overrides', config: defaults, subject: subject(), expected: 45 },
  ]
  it.each(cases)('$name', ({ config: c, subject: s, expected }) => {
    expect((r07(c, s)?.params as { withinMinutes: number }).withinMinutes).toBe(expected)
  })

  it('applies an override with no selector over the rule defaults', () => {
    const c = parseRules({ tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', params: { withinMinutes: 10 } }] })
    expect((r07(c, subject())?.params as { withinMinutes: number }).withinMinutes).toBe(10)
  })

  it('lets a later override of the same level win', () => {
    const c = parseRules({ tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', site: 'flat-1', priority: 'P1' }, { rule: 'R07', site: 'flat-1', priority: 'P3' }] })
    expect(r07(c, subject())?.priority).toBe('P3')
  })
})

describe('rulesFor: merging', () => {
  it('deep-merges params level by level and validates the result (defaults filled)', () => {
    const c = parseRules({
      tenant: 'acme',
      packs: ['responder'],
      overrides: [
        { rule: 'R07', site: 'flat-1', params: { window: { start: '21:00' } } },
        { rule: 'R07', device: 'bed-1', params: { window: { end: '07:00' } } },
      ],
    })
    expect(r07(c, subject())?.params).toEqual({ first: ['bed.exited'], then: ['bed.entered'], withinMinutes: 45, window: { start: '21:00', end: '07:00' } })
  })

  it('takes priority and enabled from the most specific override that sets them, independently of params', () => {
    const c = parseRules({
      tenant: 'acme',
      packs: ['responder'],
      overrides: [
        { rule: 'R08', site: 'flat-1', enabled: false },
        { rule: 'R08', device: 'door-1', enabled: true },
        { rule: 'R08', resident: 'res-1', priority: 'P1' },
      ],
    })
    const door = (over: Partial<Subject>) => rulesFor(c, subject({ deviceId: 'door-1', deviceType: 'door-sensor', ...over })).find((r) => r.id === 'R08')
    expect(door({})?.priority).toBe('P1')
    expect(door({ deviceId: 'door-2' })).toBeUndefined()
    expect(door({ deviceId: 'door-2', site: 'flat-2' })?.priority).toBe('P1')
    expect(door({ deviceId: 'door-2', site: 'flat-2', resident: undefined })?.priority).toBe('P2')
  })

  it('enables a rule that ships disabled only where an override says so', () => {
    const c = parseRules({ tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R10', device: 'pir-bath', enabled: true }] })
    const pir = (deviceId: string) => rulesFor(c, subject({ deviceId, deviceType: 'motion-sensor' })).map((r) => r.id)
    expect(pir('pir-bath')).toContain('R10')
    expect(pir('pir-hall')).not.toContain('R10')
  })

  it('gives only the rules whose device types include the subject\'s', () => {
    const c = parseRules({ tenant: 'acme', packs: ['responder', 'device-health'] })
    expect(rulesFor(c, subject({ deviceType: 'pendant' })).map((r) => r.id)).toEqual(['R01', 'H03', 'H03-failed', 'H03-level', 'H04', 'H06'])
    expect(rulesFor(c, subject({ deviceType: 'energy-meter' })).map((r) => r.id)).toEqual(['H06'])
  })

  it('carries the kind implementation, title and pack', () => {
    const rule = r07(parseRules({ tenant: 'acme', packs: ['responder'] }), subject())!
    expect([rule.kind, rule.impl.kind, rule.title, rule.pack]).toEqual(['sequence', 'sequence', 'Out of bed at night, not returned', 'responder'])
  })

  it('reports overrides that are valid alone but invalid together, naming them', () => {
    const c = parseRules({
      tenant: 'acme',
      packs: ['responder'],
      overrides: [
        { rule: 'R22', site: 'flat-1', params: { forMinutes: 600 } },
        { rule: 'R22', device: 'env-1', params: { withinMinutes: 300 } },
      ],
    })
    const run = () => rulesFor(c, subject({ deviceId: 'env-1', deviceType: 'environment-sensor' }))
    expect(run).toThrow(LookoutError)
    expect(run).toThrow('overrides[0], overrides[1] together give rule "R22" invalid params for device env-1: params.forMinutes: forMinutes (600) cannot exceed withinMinutes (300)')
  })
})

describe('rulesFor: cache and tenant', () => {
  const c = parseRules({ tenant: 'acme', packs: ['responder'] })

  it('returns the same frozen list for the same config version and subject', () => {
    const a = rulesFor(c, subject())
    expect(rulesFor(c, subject())).toBe(a)
    expect(rulesFor(parseRules({ tenant: 'acme', packs: ['responder'] }), subject())).toBe(a)
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a[0])).toBe(true)
  })

  it('does not share results across versions or subjects', () => {
    const other = parseRules({ tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', enabled: false }] })
    expect(rulesFor(other, subject()).map((r) => r.id)).toEqual([])
    expect(rulesFor(c, subject({ deviceId: 'bed-9' }))).not.toBe(rulesFor(c, subject()))
  })

  it('refuses a subject of another tenant', () => {
    expect(() => rulesFor(c, subject({ tenant: 'other' }))).toThrow(expect.objectContaining({ code: 'RULES_TENANT_MISMATCH' }))
  })
})
