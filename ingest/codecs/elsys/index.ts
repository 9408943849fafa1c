import type { Codec } from '../types.ts'
import { EMS_DOOR } from './ems-door.ts'
import { ERS } from './ers.ts'
import { ERS_CO2 } from './ers-co2.ts'

export const ELSYS_CODECS: readonly Codec[] = [ERS, ERS_CO2, EMS_DOOR]
