/**
 * The LoRaWAN payload codec contract of The Things Network device repository
 * (https://www.thethingsindustries.com/docs/integrations/payload-formatters/javascript/uplink/):
 * `decodeUplink({ bytes, fPort })` returns `{ data }` or `{ errors }`, with optional `warnings`.
 * Lookout's own decoders implement it in TypeScript (pure, no I/O); user-supplied codecs in the
 * same format run in the codec sandbox.
 */
export interface UplinkInput {
  bytes: readonly number[]
  fPort: number
}

export interface UplinkOutput {
  data?: Record<string, unknown>
  errors?: string[]
  warnings?: string[]
}

export interface Codec {
  /** `<vendor>/<model>` as in the device repository, e.g. `milesight-iot/am103`. */
  model: string
  /** What the device measures, one line, for `lookout codecs list` and the docs. */
  description: string
  decodeUplink(input: UplinkInput): UplinkOutput
}
