import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseRules } from '../definitions/load.ts'
import { PACK_NAMES } from '../definitions/schema.ts'
import { PACKS } from './index.ts'

const all = PACK_NAMES.flatMap((pack) => PACKS[pack].map((rule) => ({ pack, rule })))

describe('the shipped catalogue', () => {
  it('validates: every rule, with its kind\'s params', () => {
    expect(() => parseRules({ tenant: 'catalogue', packs: [...PACK_NAMES] })).not.toThrow()
  })

  it('has unique ids across packs', () => {
    const ids = all.map(({ rule }) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('has the rules the brief asks for', () => {
    const ids = new Set(all.map(({ rule }) => rule.id))
    const required = ['R01', 'R02', 'R03', 'R04', 'R05', 'R06', 'R07', 'R08', 'R09', 'R10', 'R14', 'R15', 'R16', 'R22', 'R23', 'H01', 'H02', 'H03', 'H04', 'H05', 'H06', 'H09', 'F01', 'F11', 'F12', 'F13', 'F14', 'F15', 'F16']
    expect(required.filter((id) => !ids.has(id))).toEqual([])
  })

  const sections: Record<string, string> = { R: 'B1', H: 'B2', F: 'B4' }
  /** The text of each `## <id>. …` section of docs/domain.md, by id. */
  const domainDoc = new Map(
    readFileSync(new URL('../../docs/domain.md', import.meta.url), 'utf8')
      .split(/^## /m)
      .map((part) => [part.slice(0, part.indexOf('.')), part] as const),
  )
  it.each(all.map(({ pack, rule }) => ({ pack, id: rule.id, rule })))('$id cites its docs/domain.md row and is in the right pack', ({ pack, id, rule }) => {
    const row = id.split('-')[0]!
    const section = sections[row[0]!]!
    expect(rule.description).toContain(`Source: docs/domain.md ${section} ${row}`)
    expect(domainDoc.get(section), `docs/domain.md ${section} states ${row}`).toContain(`**${row}**`)
    expect(pack).toBe({ B1: 'responder', B2: 'device-health', B4: 'facilities' }[section])
    if (rule.enabled === false) expect(rule.description).toContain('enable per device')
    expect(rule.title.length).toBeLessThanOrEqual(80)
  })
})
