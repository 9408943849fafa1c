/**
 * Every example of every device-repository codec file in fixtures/ (copied from
 * TheThingsNetwork/lorawan-devices, see fixtures/SOURCE.md) is decoded by Lookout's own decoder to
 * exactly the repository's expected output (deep equality, as the repository's own CI checks).
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { BUILTIN_CODECS } from './index.ts'

interface Example {
  description: string
  input: { fPort: number; bytes: number[] }
  output: unknown
}

const fixtures = path.join(import.meta.dirname, 'fixtures')
const files = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(fixtures, d.name)).filter((f) => f.endsWith('-codec.yaml')).map((f) => `${d.name}/${f}`))

describe('built-in LoRaWAN decoders reproduce the device repository examples', () => {
  it('has a fixture for every shipped codec file', () => {
    expect(files.length).toBe(24)
  })
  for (const file of files) {
    const model = file.replace(/-codec\.yaml$/, '')
    const doc = parse(readFileSync(path.join(fixtures, file), 'utf8')) as { uplinkDecoder: { examples: Example[] } }
    describe(model, () => {
      it('is a built-in codec', () => {
        expect(BUILTIN_CODECS.has(model)).toBe(true)
      })
      for (const example of doc.uplinkDecoder.examples) {
        it(example.description, () => {
          const codec = BUILTIN_CODECS.get(model)
          expect(codec).toBeDefined()
          expect(codec!.decodeUplink({ bytes: example.input.bytes, fPort: example.input.fPort })).toEqual(example.output)
        })
      }
    })
  }
})
