/**
 * The device repository's examples of every shipped codec file (fixtures/, copied from
 * TheThingsNetwork/lorawan-devices, see fixtures/SOURCE.md): what each built-in decoder must
 * reproduce (codecs.test.ts), and the real uplinks the end-to-end tests send.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

export interface CodecExample {
  description: string
  input: { fPort: number; bytes: number[] }
  output: { data?: Record<string, unknown>; errors?: string[] } & Record<string, unknown>
}

export interface CodecFixture {
  /** The codec model, `<vendor>/<model>`, as the file is named. */
  model: string
  /** Its path under fixtures/. */
  file: string
  examples: CodecExample[]
}

export const FIXTURES_DIR = path.join(import.meta.dirname, 'fixtures')

export function codecFixtures(): CodecFixture[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(path.join(FIXTURES_DIR, d.name)).filter((f) => f.endsWith('-codec.yaml')).map((f) => `${d.name}/${f}`))
    .sort()
    .map((file) => {
      const doc = parse(readFileSync(path.join(FIXTURES_DIR, file), 'utf8')) as { uplinkDecoder: { examples: CodecExample[] } }
      return { model: file.replace(/-codec\.yaml$/, ''), file, examples: doc.uplinkDecoder.examples }
    })
}
