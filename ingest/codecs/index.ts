/**
 * Lookout's built-in LoRaWAN decoders, by model (`<vendor>/<model>`, as in The Things Network's
 * device repository). Each reproduces every example of the device repository's codec file
 * (fixtures/, tested in codecs.test.ts).
 */
import { BROWAN_CODECS } from './browan/index.ts'
import { DRAGINO_CODECS } from './dragino/index.ts'
import { ELSYS_CODECS } from './elsys/index.ts'
import { MILESIGHT_CODECS } from './milesight-iot/index.ts'
import { NETVOX_CODECS } from './netvox/index.ts'
import type { Codec } from './types.ts'

export type { Codec, UplinkInput, UplinkOutput } from './types.ts'

export const BUILTIN_CODECS: ReadonlyMap<string, Codec> = new Map(
  [...MILESIGHT_CODECS, ...BROWAN_CODECS, ...ELSYS_CODECS, ...NETVOX_CODECS, ...DRAGINO_CODECS].map((c) => [c.model, c]),
)

export function builtinCodec(model: string): Codec | undefined {
  return BUILTIN_CODECS.get(model)
}
