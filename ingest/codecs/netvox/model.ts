/**
 * What one Netvox model adds to the frame layout all Netvox devices share (decode-netvox.ts):
 * its device type byte and name, how to read its status report, and the model-specific fields of
 * its read-configuration response and extra FPort 7 commands.
 */
export interface NetvoxModel {
  /** Byte 1 of every frame, e.g. 0x06 for the R311W. */
  deviceType: number
  /** `Device` in every decoded frame, e.g. 'R311W'. */
  name: string
  /** Battery voltage from byte 3 of the status report. */
  volts(byte: number): number
  /** Readings of the status report (FPort 6, report type 0x01) from the bytes after the battery byte. */
  readings(data: readonly number[]): Record<string, unknown>
  /** Model-specific thresholds of the read-configuration response, from the bytes after BatteryChange. */
  reportChanges?(data: readonly number[]): Record<string, unknown>
  /** Model-specific FPort 7 responses (command ids 0x83 and up), by command id. */
  commands?: ReadonlyMap<number, { name: string; decode(payload: readonly number[]): Record<string, unknown> }>
}
