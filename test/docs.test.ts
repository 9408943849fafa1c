/** Documentation that must match the code: error codes, the README's configuration table, docs/domain.md citations, the Redis key table. */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../lib/errors.ts'
import { ALL_REJECT_REASONS, CONNECT_REFUSAL_REASONS } from '../ingest/index.ts'

const root = path.resolve(import.meta.dirname, '..')
const read = (file: string) => readFile(path.join(root, file), 'utf8')

function tableCodes(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([A-Za-z_]+)` \|/gm)].map((m) => m[1]!)
}

/** The text of one `## ` section of a markdown document, up to the next one. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`no section "${heading}"`)
  const end = markdown.indexOf('\n## ', start + 1)
  return markdown.slice(start, end < 0 ? undefined : end)
}

describe('docs/errors.md', () => {
  it('lists every error code, with the code\'s retryability, and no other code', async () => {
    const doc = await read('docs/errors.md')
    const documented = tableCodes(doc).filter((c) => c === c.toUpperCase())
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort())
    for (const [code, { retryable }] of Object.entries(ERROR_CODES)) {
      expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| ${retryable ? 'yes' : 'no'} \\|`, 'm'))
    }
  })

  it('lists every rejection reason of device messages', async () => {
    const documented = tableCodes(section(await read('docs/errors.md'), 'Rejected device messages'))
    expect(documented.sort()).toEqual([...ALL_REJECT_REASONS].sort())
  })

  it('lists every reason a connection is refused at CONNECT', async () => {
    const documented = tableCodes(section(await read('docs/errors.md'), 'Refused MQTT connections'))
    expect(documented.sort()).toEqual([...CONNECT_REFUSAL_REASONS].sort())
  })
})

describe('README configuration table', () => {
  it('lists exactly the environment variables lib/config.ts reads', async () => {
    const source = await read('lib/config.ts')
    const read_ = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!)
    const readme = await read('README.md')
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'))
    const documented = [...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)
    expect(read_.length).toBeGreaterThan(10)
    expect([...new Set(documented)].sort()).toEqual([...new Set(read_)].sort())
  })
})

/** Source and documentation files of the repository (not node_modules, not generated results). */
async function sourceFiles(): Promise<string[]> {
  const dirs = ['alerts', 'api', 'app', 'bench', 'bin', 'dashboards', 'docs', 'ingest', 'lib', 'registry', 'rules', 'scripts', 'simulators', 'test', 'workers']
  const files = ['README.md']
  for (const dir of dirs) {
    for (const entry of await readdir(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && /\.(ts|js|md)$/.test(entry.name)) files.push(path.relative(root, path.join(entry.parentPath, entry.name)))
    }
  }
  return files
}

describe('docs/domain.md', () => {
  it('has every section and rule row the code and docs cite', async () => {
    const doc = await read('docs/domain.md')
    const sections = new Map(doc.split(/^## /m).map((part) => [part.slice(0, part.indexOf('.')), part] as const))
    const missing: string[] = []
    for (const file of await sourceFiles()) {
      if (file === path.normalize('docs/domain.md')) continue
      for (const m of (await read(file)).matchAll(/docs\/domain\.md ([A-E][0-9]?)\b(?: ([RHF][0-9]{2})\b)?/g)) {
        const [, section, row] = m as unknown as [string, string, string | undefined]
        const text = sections.get(section)
        if (text === undefined) missing.push(`${file}: section ${section}`)
        else if (row !== undefined && !text.includes(`**${row}**`)) missing.push(`${file}: ${section} ${row}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('cites nothing outside the repository (the old ../shared research notes)', async () => {
    const outside: string[] = []
    for (const file of await sourceFiles()) {
      if (/\.\.\/shared\/|\banchors\.md\b|(?<![\w/])domain\.md/.test(await read(file))) outside.push(file)
    }
    expect(outside).toEqual([])
  })
})

describe('paths the code and docs cite', () => {
  it('name files that exist (docs/…)', async () => {
    const missing: string[] = []
    for (const file of await sourceFiles()) {
      for (const m of (await read(file)).matchAll(/\bdocs\/[A-Za-z0-9_./-]+\.(?:md|json)\b/g)) {
        const cited = m[0]
        if (!(await readFile(path.join(root, cited)).then(() => true, () => false))) missing.push(`${file}: ${cited}`)
      }
    }
    expect(missing).toEqual([])
  })
})

describe('docs/architecture.md Redis key table', () => {
  /** Key families built in the code: what follows the prefix in `${prefix}:name…` / `${keyPrefix}-bull`. */
  async function codeFamilies(): Promise<Set<string>> {
    const families = new Set<string>()
    for (const folder of ['lib', 'registry', 'rules', 'alerts', 'workers', 'ingest', 'api', 'app']) {
      for (const file of await readdir(path.join(root, folder), { recursive: true })) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue
        const source = await read(path.join(folder, file))
        for (const m of source.matchAll(/\$\{(?:prefix|keyPrefix)\}(-bull|:[a-z-]+)/g)) families.add(m[1]!)
      }
    }
    return families
  }

  it('lists every key family the code builds, and no other', async () => {
    const doc = await read('docs/architecture.md')
    const section = doc.slice(doc.indexOf('## Redis keys'), doc.indexOf('## Roles and scaling'))
    const documented = new Set([...section.matchAll(/^\| `P(-bull|:[a-z-]+)/gm)].map((m) => m[1]!))
    const built = await codeFamilies()
    expect(built.size).toBeGreaterThan(10)
    expect([...documented].sort()).toEqual([...built].sort())
  })
})
