import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderVocabularyDoc } from './doc.ts'

describe('docs/vocabulary.md', () => {
  it('is what the tables render (regenerate: npx tsx scripts/write-vocabulary-doc.ts)', () => {
    const committed = readFileSync(new URL('../../docs/vocabulary.md', import.meta.url), 'utf8')
    expect(committed).toBe(renderVocabularyDoc())
  })
})
