/** Regenerates docs/rules.md from the rule catalogue: npx tsx scripts/write-rules-doc.ts */
import { writeFileSync } from 'node:fs'
import { renderRulesDoc } from '../rules/catalogue/doc.ts'

const path = new URL('../docs/rules.md', import.meta.url)
writeFileSync(path, renderRulesDoc())
console.log(`wrote ${path.pathname}`)
