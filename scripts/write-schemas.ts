/** Regenerates docs/schemas/*.schema.json from the zod schemas: npx tsx scripts/write-schemas.ts */
import { writeFileSync } from 'node:fs'
import { deviceJsonSchemas, schemaText } from '../ingest/formats/json-schemas.ts'

for (const document of deviceJsonSchemas()) {
  const path = new URL(`../docs/schemas/${document.file}`, import.meta.url)
  writeFileSync(path, schemaText(document))
  console.log(`wrote ${path.pathname}`)
}
