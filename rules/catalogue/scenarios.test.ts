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
import { SCENARIOS, type Scenario } from './scenarios.ts'
import { PACKS } from './index.ts'

const dir = path.join(import.meta.dirname, 'scenarios')
const config = parseRulesText(readFileSync(path.join(dir, 'rules.yaml'), 'utf8'), { source: 'scenarios/rules.yaml' })

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
