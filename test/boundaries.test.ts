/**
 * The folder boundaries of .dependency-cruiser.cjs: each rule fails on a tree that breaks it, a tree
 * that keeps them passes, and so does the repository itself (CI also runs `npm run lint:deps`).
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '..')
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise')
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs')

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

async function cruise(cwd: string, folders: string[]): Promise<Violation[]> {
  // exit code 1 when there are violations; the JSON report is on stdout either way
  const result = await run(DEPCRUISE, [...folders, '--config', CONFIG, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  )
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } }
  return report.summary.violations
}

let dir: string | undefined
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** Writes a small tree of TypeScript files (path → source) into a temporary folder. */
async function tree(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lookout-boundaries-'))
  const all = { 'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }), ...files }
  for (const [file, source] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await writeFile(path.join(dir, file), source)
  }
  return dir
}

const GOOD = {
  'lib/config.ts': 'export const a = 1\n',
  'registry/index.ts': "export { a } from '../lib/config.ts'\n",
  'rules/index.ts': "export { b } from './engine/step.ts'\n",
  'rules/engine/step.ts': "import { a } from '../../lib/config.ts'\nexport const b = a\n",
  'workers/index.ts': "import { b } from '../rules/index.ts'\nimport { a } from '../registry/index.ts'\nexport const c = a + b\n",
  'ingest/index.ts': "import { c } from '../workers/index.ts'\nexport const d = c\n",
  'app/main.ts': "import { d } from '../ingest/index.ts'\nexport const e = d\n",
}

describe('folder boundaries', () => {
  it('pass on a tree whose imports point down the pipeline through index.ts files', async () => {
    expect(await cruise(await tree(GOOD), ['lib', 'registry', 'rules', 'workers', 'ingest', 'app'])).toEqual([])
  })

  it('fail on an upward import (the leaf lib/ importing a stage)', async () => {
    const cwd = await tree({ ...GOOD, 'lib/logger.ts': "import { d } from '../ingest/index.ts'\nexport const l = d\n" })
    const violations = await cruise(cwd, ['lib', 'registry', 'rules', 'workers', 'ingest', 'app'])
    expect(violations.map((v) => [v.rule.name, v.from, v.to])).toContainEqual(['layer-lib', 'lib/logger.ts', 'ingest/index.ts'])
  })

  it('fail on rules/ importing the workers that run them', async () => {
    const cwd = await tree({ ...GOOD, 'rules/engine/step.ts': "import { c } from '../../workers/index.ts'\nexport const b = c\n" })
    const names = (await cruise(cwd, ['lib', 'registry', 'rules', 'workers', 'ingest', 'app'])).map((v) => v.rule.name)
    expect(names).toContain('layer-rules')
  })

  it('fail on a deep import past another folder’s index.ts', async () => {
    const cwd = await tree({ ...GOOD, 'workers/index.ts': "import { b } from '../rules/engine/step.ts'\nexport const c = b\n" })
    const violations = await cruise(cwd, ['lib', 'registry', 'rules', 'workers', 'ingest', 'app'])
    expect(violations.map((v) => [v.rule.name, v.from, v.to])).toContainEqual(['no-deep-import', 'workers/index.ts', 'rules/engine/step.ts'])
  })

  it('hold in the repository itself', async () => {
    const folders = ['app', 'api', 'alerts', 'ingest', 'lib', 'registry', 'rules', 'workers', 'simulators', 'bin', 'scripts', 'test', 'bench']
    const violations = await cruise(ROOT, folders)
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([])
  })

  it('fail on a cycle', async () => {
    const cwd = await tree({
      ...GOOD,
      'registry/index.ts': "import { y } from './y.ts'\nexport const x = y\n",
      'registry/y.ts': "import { x } from './index.ts'\nexport const y = 1\nexport const z = () => x\n",
    })
    const names = (await cruise(cwd, ['lib', 'registry', 'rules', 'workers', 'ingest', 'app'])).map((v) => v.rule.name)
    expect(names).toContain('no-circular')
  })
})
