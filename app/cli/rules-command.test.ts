import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runCli } from './main.ts'

const scenarios = path.resolve(import.meta.dirname, '../../rules/catalogue/scenarios')
const rulesFile = path.join(scenarios, 'rules.yaml')
const dir = mkdtempSync(path.join(tmpdir(), 'lookout-rules-'))
const file = (name: string, text: string) => {
  const p = path.join(dir, name)
  writeFileSync(p, text)
  return p
}

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = []
  let err = ''
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk)
    return true
  })
  try {
    const code = await runCli(argv, (line) => out.push(line))
    return { code, out, err }
  } finally {
    spy.mockRestore()
  }
}

afterEach(() => vi.restoreAllMocks())

describe('lookout rules test', () => {
  it('prints the alerts of a replay as JSON lines and exits 0', async () => {
    const { code, out, err } = await cli(['rules', 'test', rulesFile, path.join(scenarios, 'R07.fires.jsonl')])
    expect([code, err]).toEqual([0, ''])
    const lines = out.map((l) => JSON.parse(l) as { action: string; rule: string; at: string })
    expect(lines.map((l) => [l.action, l.rule, l.at])).toEqual([
      ['raise', 'R07', '2026-01-05T23:45:00.000Z'],
      ['clear', 'R07', '2026-01-06T00:10:00.000Z'],
      ['raise', 'R07', '2026-03-29T05:15:00.000Z'],
    ])
  })

  it('takes --until and --devices', async () => {
    const devices = file('devices.json', '[{"deviceId":"hub-9","deviceType":"hub"}]')
    const events = file('door.jsonl', '{"ts":"2026-01-06T10:00:00Z","deviceId":"door-1","deviceType":"door-sensor","type":"door.closed"}\n')
    const { code, out } = await cli(['rules', 'test', rulesFile, events, '--devices', devices, '--until', '2026-01-06T11:00:00Z'])
    expect(code).toBe(0)
    expect(out.map((l) => (JSON.parse(l) as { rule: string; deviceId: string }).deviceId)).toEqual(['hub-9'])
  })

  it("raises the manual alarm (P1 R01) for a pendant's button press, and nothing for an activity sensor's", async () => {
    const events = file(
      'buttons.jsonl',
      [
        '{"ts":"2026-01-06T10:00:00Z","deviceId":"ws101-pendant","deviceType":"pendant","type":"button.pressed"}',
        '{"ts":"2026-01-06T10:01:00Z","deviceId":"ws101-doorbell","deviceType":"activity-sensor","type":"button.pressed"}',
      ].join('\n'),
    )
    const { code, out } = await cli(['rules', 'test', rulesFile, events, '--until', '2026-01-06T10:02:00Z'])
    expect(code).toBe(0)
    const lines = out.map((l) => JSON.parse(l) as { action: string; rule: string; priority: string; deviceId: string; facts: Record<string, unknown> })
    expect(lines.map((l) => [l.action, l.rule, l.priority, l.deviceId, l.facts.eventType])).toEqual([['raise', 'R01', 'P1', 'ws101-pendant', 'pendant.pressed']])
  })

  const bad: { name: string; argv: () => string[]; message: RegExp }[] = [
    { name: 'a bad events line', argv: () => ['rules', 'test', rulesFile, file('bad.jsonl', '{"ts":"2026-01-06T10:00:00Z","deviceId":"door-1","type":"door.closed"}\n')], message: /bad\.jsonl line 1: deviceType: required .*\[REPLAY_INPUT_INVALID\]/ },
    { name: 'a bad rules file', argv: () => ['rules', 'test', file('bad.yaml', 'tenant: acme\npacks: [responders]\n'), path.join(scenarios, 'R01.fires.jsonl')], message: /packs\[0\] \(line 2\): expected one of .*\[RULES_INVALID\]/ },
    { name: 'a bad --until', argv: () => ['rules', 'test', rulesFile, path.join(scenarios, 'R01.fires.jsonl'), '--until', 'tomorrow'], message: /--until must be an ISO time/ },
    { name: 'a missing file', argv: () => ['rules', 'test', rulesFile, path.join(dir, 'nope.jsonl')], message: /cannot read events file .*nope\.jsonl: no such file/ },
    { name: 'missing arguments', argv: () => ['rules', 'test', rulesFile], message: /usage: lookout rules test/ },
    { name: 'an unknown subcommand', argv: () => ['rules', 'check'], message: /usage: lookout rules test/ },
    { name: 'an unknown option', argv: () => ['rules', 'test', rulesFile, path.join(scenarios, 'R01.fires.jsonl'), '--from', 'x'], message: /Unknown option '--from'/ },
  ]
  it.each(bad)('exits 2 with a clear message for $name', async ({ argv, message }) => {
    const { code, out, err } = await cli(argv())
    expect(code).toBe(2)
    expect(out).toEqual([])
    expect(err).toMatch(message)
  })
})
