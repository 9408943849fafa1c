import type { Codec } from '../types.ts'
import { TBDW100 } from './tbdw100.ts'
import { TBHH100 } from './tbhh100.ts'
import { TBHV110 } from './tbhv110.ts'
import { TBMS100 } from './tbms100.ts'
import { TBPB100 } from './tbpb100.ts'
import { TBWL100 } from './tbwl100.ts'

export const BROWAN_CODECS: readonly Codec[] = [TBDW100, TBHH100, TBHV110, TBMS100, TBPB100, TBWL100]
