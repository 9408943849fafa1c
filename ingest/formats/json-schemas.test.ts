import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DeviceTelemetryPayload } from '../device-payloads.ts'
import { TELEMETRY_KEY_PATTERN, deviceJsonSchemas, schemaText } from './json-schemas.ts'

describe('docs/schemas', () => {
  it.each(deviceJsonSchemas())('$file is what the zod schemas generate (regenerate: npx tsx scripts/write-schemas.ts)', (document) => {
    const committed = readFileSync(new URL(`../../docs/schemas/${document.file}`, import.meta.url), 'utf8')
    expect(committed).toBe(schemaText(document))
  })

  it.each([
    ['temperature', true],
    ['pm2_5', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['Temperature', false],
    ['2temp', false],
    ['air.temperature', false],
    ['_x', false],
  ])('telemetry key %s: the JSON Schema pattern agrees with the zod schema (%s)', (name, valid) => {
    expect(new RegExp(TELEMETRY_KEY_PATTERN).test(name)).toBe(valid)
    expect(DeviceTelemetryPayload.safeParse({ [name]: 1 }).success).toBe(valid)
  })
})
