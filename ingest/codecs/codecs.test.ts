/**
 * Every example of every device-repository codec file in fixtures/ (copied from
 * TheThingsNetwork/lorawan-devices, see fixtures/SOURCE.md) is decoded by Lookout's own decoder to
 * exactly the repository's expected output (deep equality, as the repository's own CI checks).
 */
import { describe, expect, it } from 'vitest'
import { codecFixtures } from './examples.ts'
import { BUILTIN_CODECS } from './index.ts'

const fixtures = codecFixtures()

describe('built-in LoRaWAN decoders reproduce the device repository examples', () => {
  it('has a fixture for every shipped codec file', () => {
    expect(fixtures.length).toBe(24)
  })
  for (const { model, examples } of fixtures) {
    describe(model, () => {
      it('is a built-in codec', () => {
        expect(BUILTIN_CODECS.has(model)).toBe(true)
      })
      for (const example of examples) {
        it(example.description, () => {
          const codec = BUILTIN_CODECS.get(model)
          expect(codec).toBeDefined()
          expect(codec!.decodeUplink({ bytes: example.input.bytes, fPort: example.input.fPort })).toEqual(example.output)
        })
      }
    })
  }
})
