import type { Codec } from '../types.ts'
import { LDS02 } from './lds02.ts'

export const DRAGINO_CODECS: readonly Codec[] = [LDS02]
