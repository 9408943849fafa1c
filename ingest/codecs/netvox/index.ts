import type { Codec } from '../types.ts'
import { R311W } from './r311w.ts'
import { R718AB } from './r718ab.ts'
import { R718CE } from './r718ce.ts'
import { R718WA } from './r718wa.ts'

export const NETVOX_CODECS: readonly Codec[] = [R311W, R718AB, R718CE, R718WA]
