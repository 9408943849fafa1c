/** Regenerates docs/vocabulary.md from the vocabulary tables: npx tsx scripts/write-vocabulary-doc.ts */
import { writeFileSync } from 'node:fs'
import { renderVocabularyDoc } from '../ingest/vocabulary/doc.ts'

const path = new URL('../docs/vocabulary.md', import.meta.url)
writeFileSync(path, renderVocabularyDoc())
console.log(`wrote ${path.pathname}`)
