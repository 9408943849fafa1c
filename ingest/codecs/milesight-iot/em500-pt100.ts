import { milesightCodec } from './codec.ts'
import { battery, temperature } from './records.ts'

export const em500Pt100 = milesightCodec(
  'em500-pt100',
  'Milesight EM500-PT100 probe temperature (pipes, hot-water cylinders), battery',
  [battery, temperature(0x03)],
)
