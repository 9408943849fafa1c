/** Lookout's decoders for Milesight IoT LoRaWAN devices, one per device repository codec file. */
import type { Codec } from '../types.ts'
import { am103 } from './am103.ts'
import { am307 } from './am307.ts'
import { ct101 } from './ct101.ts'
import { em300Di } from './em300-di.ts'
import { em300Th } from './em300-th.ts'
import { em500Co2 } from './em500-co2.ts'
import { em500Pt100 } from './em500-pt100.ts'
import { ws101 } from './ws101.ts'
import { ws202 } from './ws202.ts'
import { ws301 } from './ws301.ts'

export const MILESIGHT_CODECS: readonly Codec[] = [am103, am307, ct101, em300Di, em300Th, em500Co2, em500Pt100, ws101, ws202, ws301]
