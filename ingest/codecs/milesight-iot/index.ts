import type { Codec } from '../types.ts'

export const MILESIGHT_CODECS: readonly Codec[] = []
