import type { Codec } from '../types.ts'

export const DRAGINO_CODECS: readonly Codec[] = []
