import type { Codec } from '../types.ts'

export const ELSYS_CODECS: readonly Codec[] = []
