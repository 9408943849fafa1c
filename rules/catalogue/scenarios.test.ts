/**
 * Every shipped rule, firing and not firing, through the replay harness (the same path as
 * `lookout rules test scenarios/rules.yaml scenarios/<id>.<fires|quiet>.jsonl`). Only the alerts of
 * the rule under test are compared; other rules may fire too (a sensor going silent after the last
 * line is H09's business).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRulesText } from '../definitions/load.ts'
import { replay, type ReplayLine } from '../engine/replay.ts'
import { parseEventsJsonl } from '../engine/replay-input.ts'
import { HUB_OFFLINE_RULE } from '../types.ts'
import { PACKS } from './index.ts'

const dir = path.join(import.meta.dirname, 'scenarios')
const config = parseRulesText(readFileSync(path.join(dir, 'rules.yaml'), 'utf8'), { source: 'scenarios/rules.yaml' })

/** The alerts of the rule under test: action, time, and priority where it is not the rule's default. */
type Expected = ([action: 'raise' | 'clear', at: string] | [action: 'raise' | 'clear', at: string, priority: string])[]

interface Scenario {
  rule: string
  /** What the rule's alerts appear as, if not its id (H01 on a hub raises the hub-offline alert). */
  as?: string
  fires: Expected
  firesUntil?: string
  quietUntil?: string
}

const SCENARIOS: Scenario[] = [
  // responder
  { rule: 'R01', fires: [['raise', '2026-01-05T10:00:00.000Z']] },
  { rule: 'R02', fires: [['raise', '2026-01-05T10:00:00.000Z']] },
  { rule: 'R03', fires: [['raise', '2026-01-05T10:00:00.000Z'], ['raise', '2026-01-05T10:01:00.000Z']] },
  { rule: 'R04', fires: [['raise', '2026-01-05T10:00:00.000Z']] },
  { rule: 'R05', fires: [['raise', '2026-01-05T10:00:00.000Z']] },
  { rule: 'R06', fires: [['raise', '2026-01-05T17:30:00.000Z']] },
  { rule: 'R06-rate', fires: [['raise', '2026-01-05T17:32:00.000Z'], ['clear', '2026-01-05T17:34:00.000Z']] },
  { rule: 'R07', fires: [['raise', '2026-01-05T23:45:00.000Z'], ['clear', '2026-01-06T00:10:00.000Z'], ['raise', '2026-03-29T05:15:00.000Z']] },
  { rule: 'R08', fires: [['raise', '2026-01-05T23:30:00.000Z'], ['raise', '2026-10-25T05:30:00.000Z']] },
  { rule: 'R09', fires: [['raise', '2026-01-06T02:15:00.000Z'], ['clear', '2026-01-06T02:25:00.001Z']] },
  { rule: 'R10', fires: [['raise', '2026-01-06T09:00:00.000Z'], ['clear', '2026-01-06T10:00:00.000Z'], ['raise', '2026-01-07T09:00:00.000Z']], quietUntil: '2026-01-07T12:00:00Z' },
  { rule: 'R14', fires: [['raise', '2026-01-06T13:00:00.000Z'], ['clear', '2026-01-06T14:00:00.000Z'], ['raise', '2026-01-06T18:00:00.000Z']], quietUntil: '2026-01-06T23:00:00Z' },
  { rule: 'R15', fires: [['raise', '2026-01-13T07:00:00.000Z'], ['clear', '2026-01-15T07:00:00.000Z']] },
  { rule: 'R16', fires: [['raise', '2026-01-12T22:00:00.000Z'], ['clear', '2026-01-13T22:00:00.000Z']] },
  { rule: 'R22', fires: [['raise', '2026-01-06T12:00:00.000Z'], ['clear', '2026-01-07T10:00:00.001Z']] },
  { rule: 'R22-16', fires: [['raise', '2026-01-06T10:00:00.000Z'], ['clear', '2026-01-06T11:30:00.001Z']] },
  { rule: 'R22-10', fires: [['raise', '2026-01-06T08:30:00.000Z'], ['clear', '2026-01-06T10:00:00.000Z']] },
  { rule: 'R23', fires: [['raise', '2026-07-07T00:00:00.000Z'], ['clear', '2026-07-07T12:00:00.001Z']] },
  // device-health
  {
    rule: 'H01',
    as: HUB_OFFLINE_RULE,
    fires: [['raise', '2026-01-06T11:00:00.000Z'], ['raise', '2026-01-06T11:45:00.000Z'], ['clear', '2026-01-06T13:00:00.000Z'], ['clear', '2026-01-06T13:00:00.000Z']],
    firesUntil: '2026-01-06T13:30:00Z',
    quietUntil: '2026-01-06T13:30:00Z',
  },
  { rule: 'H02', fires: [['raise', '2026-01-06T14:00:00.000Z'], ['clear', '2026-01-06T15:00:00.000Z']] },
  { rule: 'H03', fires: [['raise', '2026-01-06T10:00:00.000Z']] },
  { rule: 'H03-failed', fires: [['raise', '2026-01-06T10:00:00.000Z']] },
  { rule: 'H03-level', fires: [['raise', '2026-01-06T09:30:00.000Z'], ['clear', '2026-01-06T10:30:00.000Z']] },
  { rule: 'H04', fires: [['raise', '2026-01-06T10:00:00.000Z']] },
  { rule: 'H05', fires: [['raise', '2026-01-06T10:00:00.000Z']] },
  { rule: 'H06', fires: [['raise', '2026-01-06T10:00:00.000Z']] },
  {
    rule: 'H09',
    fires: [['raise', '2026-01-06T11:30:00.000Z'], ['raise', '2026-01-07T10:30:00.000Z'], ['clear', '2026-01-07T16:30:00.000Z'], ['clear', '2026-01-07T16:30:00.000Z']],
    firesUntil: '2026-01-07T17:00:00Z',
    quietUntil: '2026-01-06T14:45:00Z',
  },
  { rule: 'H11', fires: [['raise', '2026-01-06T10:00:00.000Z']] },
  // facilities
  { rule: 'F01', fires: [['raise', '2026-01-06T11:00:00.000Z'], ['clear', '2026-01-06T22:30:00.001Z']] },
  { rule: 'F01-90', fires: [['raise', '2026-11-06T10:00:00.000Z'], ['clear', '2026-11-06T22:30:00.001Z']] },
  { rule: 'F11', fires: [['raise', '2026-01-06T09:30:00.000Z'], ['clear', '2026-01-06T11:00:00.000Z']] },
  {
    rule: 'F12',
    fires: [
      ['raise', '2026-01-06T09:01:30.000Z'],
      ['raise', '2026-01-08T09:01:30.000Z', 'P2'],
      ['clear', '2026-01-09T09:00:30.000Z'],
      ['clear', '2026-01-09T09:00:30.000Z', 'P2'],
    ],
  },
  { rule: 'F13', fires: [['raise', '2026-01-06T06:40:00.000Z'], ['clear', '2026-01-06T06:50:00.000Z']] },
  { rule: 'F14', fires: [['raise', '2026-01-06T09:02:30.000Z'], ['clear', '2026-01-07T09:01:30.000Z']] },
  { rule: 'F15', fires: [['raise', '2026-01-08T09:02:00.000Z'], ['clear', '2026-01-09T09:00:00.000Z']] },
  { rule: 'F16', fires: [['raise', '2026-01-06T09:00:00.000Z'], ['clear', '2026-01-06T10:30:00.001Z']] },
]

function run(file: string, until: string | undefined): ReplayLine[] {
  const input = parseEventsJsonl(readFileSync(path.join(dir, file), 'utf8'), [], file)
  return replay({ config, events: input.events, devices: input.devices, until: until === undefined ? undefined : Date.parse(until) }).lines
}

function linesOf(lines: ReplayLine[], s: Scenario): ReplayLine[] {
  if (s.as === undefined) return lines.filter((l) => l.rule === s.rule)
  // raised under another rule name: recognise its alerts by the raises that name this rule
  const keys = new Set(lines.filter((l) => l.rule === s.as && l.action === 'raise' && l.facts.rule === s.rule).map((l) => l.dedupeKey))
  return lines.filter((l) => keys.has(l.dedupeKey))
}

describe('catalogue scenarios', () => {
  it('cover every shipped rule, each with a fires and a quiet file', () => {
    const shipped = Object.values(PACKS).flatMap((rules) => rules.map((r) => r.id))
    expect(SCENARIOS.map((s) => s.rule).sort()).toEqual([...shipped].sort())
    for (const id of shipped) {
      for (const kind of ['fires', 'quiet']) expect(() => readFileSync(path.join(dir, `${id}.${kind}.jsonl`)), `${id}.${kind}.jsonl`).not.toThrow()
    }
  })

  it.each(SCENARIOS)('$rule fires', (s) => {
    const shipped = Object.values(PACKS).flat().find((r) => r.id === s.rule)!
    const priority = s.as === HUB_OFFLINE_RULE ? 'P2' : shipped.priority
    const lines = linesOf(run(`${s.rule}.fires.jsonl`, s.firesUntil), s)
    expect(lines.map((l) => [l.action, l.at, l.priority])).toEqual(s.fires.map(([action, at, p]) => [action, at, p ?? priority]))
  })

  it.each(SCENARIOS)('$rule stays quiet', (s) => {
    expect(linesOf(run(`${s.rule}.quiet.jsonl`, s.quietUntil), s)).toEqual([])
  })
})
