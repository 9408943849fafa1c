import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderRulesDoc } from './doc.ts'

describe('docs/rules.md', () => {
  it('is what the catalogue renders (regenerate: npx tsx scripts/write-rules-doc.ts)', () => {
    const committed = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8')
    expect(committed).toBe(renderRulesDoc())
  })
})
