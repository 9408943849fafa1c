import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { LookoutError } from '../../lib/errors.ts'
import { PACKS } from '../catalogue/index.ts'
import { parseRules, parseRulesText } from './load.ts'

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')

function problems(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(LookoutError)
    expect((err as LookoutError).code).toBe('RULES_INVALID')
    return (err as Error).message
  }
  throw new Error('expected RULES_INVALID')
}

const goodRule = {
  id: 'acme-door-night',
  kind: 'immediate',
  title: 'Door opened at night',
  description: 'Source: acme care plan.',
  priority: 'P2',
  appliesTo: { deviceTypes: ['door-sensor'] },
  params: { eventTypes: ['door.opened'] },
}
const thresholdRule = {
  id: 'acme-humid',
  kind: 'threshold',
  title: 'Humid',
  description: 'Source: acme.',
  priority: 'P3',
  appliesTo: { deviceTypes: ['environment-sensor'] },
  params: { metric: 'humidity', above: 80, clearAt: 70 },
}

describe('parseRulesText: a good file', () => {
  it.each(['acme.yaml', 'acme.json'])('loads %s: pack rules, then its own, and its overrides with their levels', (file) => {
    const config = parseRulesText(fixture(file), { source: file })
    expect(config.tenant).toBe('acme')
    expect(config.packs).toEqual(['responder', 'device-health'])
    const ids = config.rules.map((r) => r.id)
    expect(ids).toEqual([...PACKS.responder.map((r) => r.id), ...PACKS['device-health'].map((r) => r.id), 'acme-door-night', 'acme-cold-store'])
    expect(config.rules.find((r) => r.id === 'acme-door-night')?.pack).toBeUndefined()
    expect(config.rules.find((r) => r.id === 'R07')?.pack).toBe('responder')
    expect(config.overrides.map((o) => [o.rule, o.level, o.match])).toEqual([
      ['R07', 'resident', 'res-42'],
      ['R07', 'site', 'scheme-4'],
      ['R08', 'resident', 'res-42'],
      ['R10', 'device', 'pir-bath-7'],
      ['H03', 'deviceType', 'pendant'],
    ])
    expect(config.source).toBe(file)
  })

  it('gives YAML and JSON of the same content the same version', () => {
    expect(parseRulesText(fixture('acme.yaml')).version).toBe(parseRulesText(fixture('acme.json')).version)
  })

  it('gives a changed file another version', () => {
    const changed = fixture('acme.yaml').replace('withinMinutes: 30', 'withinMinutes: 35')
    expect(parseRulesText(changed).version).not.toBe(parseRulesText(fixture('acme.yaml')).version)
  })

  it('takes a file with only a tenant (no packs, no rules)', () => {
    expect(parseRules({ tenant: 'acme' }).rules).toEqual([])
  })

  it('validates every shipped rule when all packs are enabled', () => {
    const config = parseRules({ tenant: 'acme', packs: ['responder', 'device-health', 'facilities'] })
    expect(config.rules).toHaveLength(Object.values(PACKS).flat().length)
  })
})

describe('parseRules: each kind of bad field, with its message', () => {
  const cases: { name: string; file: unknown; message: string }[] = [
    { name: 'a param of the wrong type', file: { tenant: 'acme', rules: [goodRule, { ...goodRule, id: 'b' }, { ...thresholdRule, params: { metric: 'humidity', above: 'high', clearAt: 70 } }] }, message: 'rules[2].params.above: expected a number, got "high"' },
    { name: 'a missing param', file: { tenant: 'acme', rules: [{ ...thresholdRule, params: { metric: 'humidity', above: 80 } }] }, message: 'rules[0].params.clearAt: required (a number)' },
    { name: 'a misspelt param', file: { tenant: 'acme', rules: [{ ...thresholdRule, params: { ...thresholdRule.params, minReading: 2 } }] }, message: 'rules[0].params.minReading: unknown field (did you mean "minReadings"?)' },
    { name: 'a kind\'s own rule on params', file: { tenant: 'acme', rules: [{ ...thresholdRule, params: { metric: 'humidity', above: 80, clearAt: 90 } }] }, message: 'rules[0].params.clearAt: clearAt (90) must be less than above (80)' },
    { name: 'a bad local time', file: { tenant: 'acme', rules: [{ ...goodRule, params: { eventTypes: ['door.opened'], window: { start: '25:00', end: '06:00' } } }] }, message: 'rules[0].params.window.start: a local time is "HH:MM", 24-hour, e.g. "22:00", got "25:00"' },
    { name: 'an unknown kind', file: { tenant: 'acme', rules: [{ ...goodRule, kind: 'treshold' }] }, message: 'rules[0].kind: no rule kind "treshold" (did you mean "threshold"?)' },
    { name: 'an unknown priority', file: { tenant: 'acme', rules: [{ ...goodRule, priority: 'P5' }] }, message: 'rules[0].priority: expected one of "P1", "P2", "P3", "P4", got "P5"' },
    { name: 'an unknown device type', file: { tenant: 'acme', rules: [{ ...goodRule, appliesTo: { deviceTypes: ['doorsensor'] } }] }, message: 'rules[0].appliesTo.deviceTypes[0]: expected one of "pendant"' },
    { name: 'did-you-mean on a device type', file: { tenant: 'acme', rules: [{ ...goodRule, appliesTo: { deviceTypes: ['doorsensor'] } }] }, message: 'got "doorsensor" (did you mean "door-sensor"?)' },
    { name: 'no device types', file: { tenant: 'acme', rules: [{ ...goodRule, appliesTo: { deviceTypes: [] } }] }, message: 'rules[0].appliesTo.deviceTypes: needs at least 1 item' },
    { name: 'a missing title', file: { tenant: 'acme', rules: [{ ...goodRule, title: undefined }] }, message: 'rules[0].title: required (a string)' },
    { name: 'a long title', file: { tenant: 'acme', rules: [{ ...goodRule, title: 'x'.repeat(81) }] }, message: 'rules[0].title: a title takes at most 80 characters' },
    { name: 'a misspelt rule field', file: { tenant: 'acme', rules: [{ ...goodRule, parms: {} }] }, message: 'rules[0].parms: unknown field (did you mean "params"?)' },
    { name: 'a bad rule id', file: { tenant: 'acme', rules: [{ ...goodRule, id: 'door|night' }] }, message: 'rules[0].id: a rule id is letters, digits' },
    { name: 'a duplicate rule id', file: { tenant: 'acme', rules: [goodRule, goodRule] }, message: 'rules[1].id: duplicate rule id "acme-door-night" (also rules[0])' },
    { name: 'a shipped rule id', file: { tenant: 'acme', rules: [{ ...goodRule, id: 'R08' }] }, message: 'rules[0].id: "R08" is a shipped rule (pack responder); enable the pack and change it with overrides' },
    { name: 'the reserved hub-offline id', file: { tenant: 'acme', rules: [{ ...goodRule, id: 'hub-offline' }] }, message: 'rules[0].id: "hub-offline" is reserved' },
    { name: 'an unknown top-level field', file: { tenant: 'acme', pack: ['responder'] }, message: 'pack: unknown field (did you mean "packs"?)' },
    { name: 'an unknown pack', file: { tenant: 'acme', packs: ['responders'] }, message: 'packs[0]: expected one of "responder", "device-health", "facilities", got "responders" (did you mean "responder"?)' },
    { name: 'a bad tenant', file: { tenant: 'Acme Ltd' }, message: 'tenant: a tenant id is lower-case letters' },
    { name: 'no tenant', file: { packs: [] }, message: 'tenant: required (a string)' },
    { name: 'not an object', file: ['tenant'], message: '(top level): expected an object (a mapping of fields), got a list' },
    { name: 'an override of an unknown rule', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R7', enabled: false }] }, message: 'overrides[0].rule: no rule "R7" (did you mean "R07"?)' },
    { name: 'an override of a rule whose pack is off', file: { tenant: 'acme', overrides: [{ rule: 'H01', enabled: false }] }, message: 'overrides[0].rule: rule "H01" is in pack "device-health", which is not enabled (add it to packs)' },
    { name: 'an override with two selectors', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', device: 'bed-1', site: 'flat-2' }] }, message: 'overrides[0]: give at most one of deviceType, site, resident, device (got site and device)' },
    { name: 'a misspelt override field', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', devce: 'bed-1' }] }, message: 'overrides[0].devce: unknown field (did you mean "device"?)' },
    { name: 'an override for a device type the rule does not apply to', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', deviceType: 'pendant' }] }, message: 'overrides[0].deviceType: rule "R07" applies to bed-sensor only, not pendant' },
    { name: 'an override param of the wrong type', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', params: { withinMinutes: 'soon' } }] }, message: 'overrides[0].params.withinMinutes: expected a number, got "soon"' },
    { name: 'an override param the kind does not have', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', params: { withinMinute: 30 } }] }, message: 'overrides[0].params.withinMinute: unknown field (did you mean "withinMinutes"?)' },
    { name: 'an override param out of range', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', params: { withinMinutes: 2000 } }] }, message: 'overrides[0].params.withinMinutes: withinMinutes must be at most 1440 minutes' },
    { name: 'an override priority', file: { tenant: 'acme', packs: ['responder'], overrides: [{ rule: 'R07', priority: 'urgent' }] }, message: 'overrides[0].priority: expected one of "P1", "P2", "P3", "P4", got "urgent"' },
  ]
  it.each(cases)('$name', ({ file, message }) => {
    expect(problems(() => parseRules(file, { source: 'acme.yaml' }))).toContain(message)
  })

  it('reports every problem, one line each, with a count', () => {
    const message = problems(() => parseRules({ tenant: 'acme', packs: ['responder'], rules: [{ ...goodRule, priority: 'P9' }], overrides: [{ rule: 'R77' }] }, { source: 'acme.yaml' }))
    expect(message.split('\n')).toEqual([
      'acme.yaml is not a valid rules file (2 problems):',
      '  rules[0].priority: expected one of "P1", "P2", "P3", "P4", got "P9"',
      '  overrides[0].rule: no rule "R77" (did you mean "R07"?)',
    ])
  })
})

describe('parseRulesText: text', () => {
  it('gives the line of each bad field in YAML', () => {
    const text = fixture('acme.yaml').replace('priority: P3', 'priority: P7').replace('withinMinutes: 30 }', "withinMinutes: 'x' }")
    const message = problems(() => parseRulesText(text, { source: 'acme.yaml' }))
    expect(message).toContain('rules[1].priority (line 18): expected one of')
    expect(message).toContain('overrides[0].params.withinMinutes (line 22): expected a number, got "x"')
  })

  it('gives the line of a bad field in JSON', () => {
    const text = fixture('acme.json').replace('"priority": "P3"', '"priority": "P0"')
    expect(problems(() => parseRulesText(text, { source: 'acme.json' }))).toMatch(/rules\[1\]\.priority \(line \d+\): expected one of/)
  })

  it('names the line of a YAML syntax error', () => {
    expect(problems(() => parseRulesText('tenant: acme\npacks: [responder\n', { source: 'bad.yaml' }))).toMatch(/^bad\.yaml line \d+: not valid YAML or JSON/)
  })

  it('rejects a duplicate key', () => {
    expect(problems(() => parseRulesText('tenant: acme\ntenant: other\n', { source: 'dup.yaml' }))).toContain('dup.yaml line 2: not valid YAML or JSON')
  })
})
