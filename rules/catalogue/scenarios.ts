/**
 * The scenarios of every shipped rule (scenarios/<id>.fires.jsonl and .quiet.jsonl, with
 * scenarios/rules.yaml): what each must raise and clear. Checked through the replay harness
 * (scenarios.test.ts) and through the live workers (test/rules-live.test.ts).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { HUB_OFFLINE_RULE } from '../types.ts'

export const SCENARIO_DIR = path.join(import.meta.dirname, 'scenarios')
export const SCENARIO_RULES_FILE = path.join(SCENARIO_DIR, 'rules.yaml')

export function scenarioText(file: string): string {
  return readFileSync(path.join(SCENARIO_DIR, file), 'utf8')
}

/** The alerts of the rule under test: action, time, and priority where it is not the rule's default. */
export type Expected = ([action: 'raise' | 'clear', at: string] | [action: 'raise' | 'clear', at: string, priority: string])[]

export interface Scenario {
  rule: string
  /** What the rule's alerts appear as, if not its id (H01 on a hub raises the hub-offline alert). */
  as?: string
  fires: Expected
  firesUntil?: string
  quietUntil?: string
}

export const SCENARIOS: Scenario[] = [
  // responder
  { rule: 'R01', fires: [['raise', '2026-01-05T10:00:00.000Z'], ['raise', '2026-01-05T10:05:00.000Z'], ['raise', '2026-01-05T10:10:00.000Z']] },
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

