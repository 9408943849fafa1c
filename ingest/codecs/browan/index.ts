import type { Codec } from '../types.ts'

export const BROWAN_CODECS: readonly Codec[] = []
