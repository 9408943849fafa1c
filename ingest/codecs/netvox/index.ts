import type { Codec } from '../types.ts'

export const NETVOX_CODECS: readonly Codec[] = []
