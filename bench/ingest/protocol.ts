/**
 * IPC messages between the benchmark (parent) and its load-generator and subscriber processes,
 * and the binary record files they leave behind.
 *
 * Times are wall-clock milliseconds with a fraction (performance.timeOrigin + performance.now()),
 * comparable across processes of one machine.
 */
import { readFile } from 'node:fs/promises'

export const TELEMETRY_TOPIC = (deviceId: string) => `devices/${deviceId}/telemetry`
export const payloadOf = (seq: number) => `{"temperature":21.5,"humidity":48.2,"seq":${seq}}`
export const nowMs = () => performance.timeOrigin + performance.now()

export interface DeviceLogin {
  /** Index in the whole fleet: device ids are `${devicePrefix}${index}`. */
  index: number
  id: string
  password: string
}

/** Parent → load generator. */
export type GeneratorCommand =
  | {
      type: 'init'
      brokerUrl: string
      devices: DeviceLogin[]
      /** Messages per second for this generator, or null for closed loop (next publish on each PUBACK). */
      rate: number | null
      /** Unacknowledged publishes a device may have at once. */
      window: number
      recordFile: string
    }
  | { type: 'start'; at: number; stopAt: number }
  | { type: 'close' }

/** Load generator → parent. */
export type GeneratorEvent =
  | { type: 'connected'; connectMs: number }
  | { type: 'progress'; at: number; sent: number; acked: number }
  | { type: 'done'; sent: number; acked: number; unacked: number; disconnects: number; errors: string[] }
  | { type: 'failed'; error: string }

/** Parent → subscriber. */
export type SubscriberCommand =
  | { type: 'init'; brokerUrl: string; topic: string; devicePrefix: string; recordFile: string }
  | { type: 'stop' }

/** Subscriber → parent. */
export type SubscriberEvent =
  | { type: 'ready' }
  | { type: 'progress'; received: number }
  | { type: 'done'; received: number; unparsable: number }
  | { type: 'failed'; error: string }

/**
 * Record files are Float64Arrays of fixed-width rows:
 *   publish rows  (load generator): device index, seq, sentAt, ackAt (NaN if never acknowledged)
 *   receipt rows  (subscriber):     device index, seq, receivedAt
 */
export const PUBLISH_ROW = 4
export const RECEIPT_ROW = 3

export async function readRecordFile(file: string): Promise<Float64Array> {
  const bytes = await readFile(file)
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / Float64Array.BYTES_PER_ELEMENT)
}

/** A Float64Array that grows; rows are appended and single cells set later. */
export class RowLog {
  private data: Float64Array
  private length = 0

  constructor(private readonly width: number, initialRows = 65_536) {
    this.data = new Float64Array(width * initialRows)
  }

  get rows(): number {
    return this.length / this.width
  }

  /** Appends a row and returns its index. */
  push(...cells: number[]): number {
    if (this.length + this.width > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data.set(cells, this.length)
    this.length += this.width
    return this.length / this.width - 1
  }

  set(row: number, column: number, value: number): void {
    this.data[row * this.width + column] = value
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, 0, this.length * Float64Array.BYTES_PER_ELEMENT)
  }
}
