/**
 * The Milesight uplink frame: repeated records of [channel id][channel type][value], the value
 * little-endian and of a length fixed by the (channel, type) pair. A model is described by the
 * records it can send; this module walks a frame through such a table.
 */
import type { UplinkOutput } from '../types.ts'

/** What one record contributes: output keys, and warnings for values the device flags as invalid. */
export interface Reading {
  data: Record<string, unknown>
  warnings?: string[]
}

/** One kind of record a model may send. */
export interface ChannelRecord {
  channel: number
  type: number
  /** Number of value bytes after the channel and type bytes. */
  size: number
  /** Decodes exactly `size` value bytes. */
  read(value: readonly number[]): Reading
}

export type FrameDecoder = (bytes: readonly number[]) => UplinkOutput

/**
 * Builds a decoder for one model's record table.
 *
 * An unknown (channel, type) ends decoding silently, keeping what came before it: the value length
 * is unknown, so nothing after it can be trusted, and the device repository's own examples expect
 * exactly that (milesight-iot/am307 example 1 ends in a record that model's table lacks). Only when
 * nothing at all could be decoded is the uplink an error. A frame cut short keeps what was decoded
 * and says so in `warnings`.
 */
export function frameDecoder(records: readonly ChannelRecord[]): FrameDecoder {
  const table = recordTable(records)
  return (bytes) => decodeFrame(bytes, table)
}

function recordTable(records: readonly ChannelRecord[]): ReadonlyMap<number, ChannelRecord> {
  const table = new Map<number, ChannelRecord>()
  for (const record of records) {
    const key = recordKey(record.channel, record.type)
    if (table.has(key)) {
      throw new Error(`duplicate Milesight record ${describeRecord(record.channel, record.type)}`)
    }
    table.set(key, record)
  }
  return table
}

/** Why decoding ended before the end of the frame; `warn` says whether to tell the caller. */
interface Stop {
  reason: string
  warn: boolean
}

function decodeFrame(bytes: readonly number[], table: ReadonlyMap<number, ChannelRecord>): UplinkOutput {
  const data: Record<string, unknown> = {}
  const warnings: string[] = []
  let decoded = 0
  let at = 0
  while (at < bytes.length) {
    const channel = bytes[at] ?? 0
    const type = bytes[at + 1]
    if (type === undefined) {
      const reason = `truncated frame: a lone byte 0x${hex(channel)} at byte ${at}`
      return finish(data, warnings, decoded, { reason, warn: true })
    }
    const record = table.get(recordKey(channel, type))
    if (record === undefined) {
      const reason = `unknown record ${describeRecord(channel, type)} at byte ${at}`
      return finish(data, warnings, decoded, { reason, warn: false })
    }
    const start = at + 2
    const left = bytes.length - start
    if (left < record.size) {
      const reason = `truncated frame: record ${describeRecord(channel, type)} at byte ${at} needs ${record.size} value bytes, ${left} left`
      return finish(data, warnings, decoded, { reason, warn: true })
    }
    const reading = record.read(bytes.slice(start, start + record.size))
    Object.assign(data, reading.data)
    warnings.push(...(reading.warnings ?? []))
    decoded += 1
    at = start + record.size
  }
  return finish(data, warnings, decoded, undefined)
}

/** The output once decoding has ended; with no record decoded the uplink is an error. */
function finish(data: Record<string, unknown>, warnings: readonly string[], decoded: number, stop: Stop | undefined): UplinkOutput {
  if (decoded === 0) return { errors: [stop?.reason ?? 'empty payload'] }
  const all = stop?.warn === true ? [...warnings, stop.reason] : warnings
  return all.length > 0 ? { data, warnings: [...all] } : { data }
}

function recordKey(channel: number, type: number): number {
  return channel * 0x100 + type
}

function describeRecord(channel: number, type: number): string {
  return `0x${hex(channel)} 0x${hex(type)}`
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
