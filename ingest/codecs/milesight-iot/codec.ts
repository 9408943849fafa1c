/** Turns a Milesight model's record table into a Lookout codec. */
import type { Codec } from '../types.ts'
import { deviceInfo } from './device-info.ts'
import { frameDecoder, type ChannelRecord } from './frame.ts'

/**
 * `name` is the device repository's file name (`am103` for `milesight-iot/am103`). The basic-
 * information records are added to every table. fPort is not looked at: Milesight sends data on
 * port 85 by default, but it can be reconfigured (the em300-th example uses port 1).
 */
export function milesightCodec(name: string, description: string, records: readonly ChannelRecord[]): Codec {
  const decode = frameDecoder([...deviceInfo, ...records])
  return {
    model: `milesight-iot/${name}`,
    description,
    decodeUplink: ({ bytes }) => decode(bytes),
  }
}
