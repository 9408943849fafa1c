import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULE_KINDS } from './index.ts'

function isRuleKind(value: unknown): value is { kind: string } {
  const v = value as Record<string, unknown> | null
  return v !== null && typeof v === 'object' && typeof v.kind === 'string' && typeof v.init === 'function' && typeof v.onRecord === 'function' && typeof v.onTimer === 'function'
}

describe('RULE_KINDS', () => {
  it('lists every rule kind exported from rules/kinds, under its own name', async () => {
    const files = (await readdir(import.meta.dirname)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('.testing.') && f !== 'index.ts')
    const exported = new Map<string, unknown>()
    for (const file of files) {
      const mod = (await import(path.join(import.meta.dirname, file))) as Record<string, unknown>
      for (const value of Object.values(mod)) if (isRuleKind(value)) exported.set(value.kind, value)
    }
    expect([...exported.keys()].sort()).toEqual([...RULE_KINDS.keys()].sort())
    for (const [name, kind] of exported) expect(RULE_KINDS.get(name)).toBe(kind)
  })
})
