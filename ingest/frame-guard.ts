/**
 * Enforces the maximum MQTT packet size before anything else reads the connection, authentication
 * included: the MQTT parser would otherwise buffer a packet of up to 256 MB before any hook runs.
 *
 * It reads only fixed headers ([MQTT-2.2]: one type byte, then the remaining length as a 1-4 byte
 * variable-length integer) and skips bodies, passing the bytes through unchanged. A packet larger
 * than `maxBytes`, or a malformed length, ends the connection.
 *
 * It also reads the protocol level of the first packet when it is a CONNECT: the MQTT parser
 * refuses a level it does not know with a parse error, closing the connection without the CONNACK
 * 0x01 (unacceptable protocol level) that MQTT 3.1.1 requires [MQTT-3.1.2-2]. The guard answers
 * that CONNACK itself and closes. Levels 3, 4 (and 5, which the broker refuses with CONNACK 0x01
 * itself) pass.
 */
import { Duplex, Transform, type TransformCallback } from 'node:stream'

export type FrameRefusal = 'packet_too_large' | 'malformed_length' | 'protocol_level'

export class FrameGuardError extends Error {
  constructor(readonly reason: FrameRefusal, readonly packetBytes: number | undefined) {
    super(
      reason === 'packet_too_large' ? `MQTT packet of ${packetBytes} bytes is over the limit` : reason === 'malformed_length' ? 'malformed MQTT remaining length' : 'unacceptable MQTT protocol level',
    )
  }
}

/** Protocol levels the parser reads: 3 (MQTT 3.1), 4 (3.1.1), 5. */
const PARSED_LEVELS = new Set([3, 4, 5])
/** CONNACK, remaining length 2, no session present, return code 0x01 [MQTT-3.2.2.3]. */
export const CONNACK_UNACCEPTABLE_PROTOCOL_LEVEL = Buffer.from([0x20, 0x02, 0x00, 0x01])
/** Fixed header (at most 5 bytes), protocol name length, "MQIsdp" (the longest known), level. */
const CONNECT_HEAD_BYTES = 5 + 2 + 6 + 1

/**
 * The protocol level of a CONNECT from the first bytes of a connection: 'more' while they are too
 * few to tell, undefined when the first packet is not a CONNECT or its protocol name is not one
 * Lookout knows (left to the parser, which closes the connection). Pure.
 */
export function connectProtocolLevel(head: Uint8Array): number | 'more' | undefined {
  if (head.length === 0) return 'more'
  if (head[0]! >> 4 !== 1) return undefined
  let i = 1
  for (;;) {
    if (i >= head.length) return 'more'
    if (!(head[i++]! & 0x80)) break
    if (i > 4) return undefined
  }
  if (head.length < i + 2) return 'more'
  const nameLength = (head[i]! << 8) | head[i + 1]!
  if (nameLength !== 4 && nameLength !== 6) return undefined
  const levelAt = i + 2 + nameLength
  if (head.length <= levelAt) return 'more'
  return head[levelAt]
}

/** Scans a byte stream for MQTT fixed headers; pure state machine, fed chunk by chunk. */
export function createFrameScanner(maxBytes: number) {
  let state: 'type' | 'length' | 'body' = 'type'
  let length = 0
  let multiplier = 1
  let lengthBytes = 0
  let bodyLeft = 0

  return function scan(chunk: Uint8Array): FrameGuardError | undefined {
    let i = 0
    while (i < chunk.length) {
      if (state === 'type') {
        i++
        state = 'length'
        length = 0
        multiplier = 1
        lengthBytes = 0
      } else if (state === 'length') {
        const byte = chunk[i++]!
        lengthBytes++
        length += (byte & 0x7f) * multiplier
        multiplier *= 128
        if (byte & 0x80) {
          if (lengthBytes === 4) return new FrameGuardError('malformed_length', undefined)
          continue
        }
        const total = 1 + lengthBytes + length
        if (total > maxBytes) return new FrameGuardError('packet_too_large', total)
        bodyLeft = length
        state = bodyLeft === 0 ? 'type' : 'body'
      } else {
        const take = Math.min(bodyLeft, chunk.length - i)
        i += take
        bodyLeft -= take
        if (bodyLeft === 0) state = 'type'
      }
    }
    return undefined
  }
}

class FrameGuard extends Transform {
  private readonly scan: (chunk: Uint8Array) => FrameGuardError | undefined
  /** The first bytes, held back until the CONNECT's protocol level is known; undefined after. */
  private head: Buffer | undefined = Buffer.alloc(0)
  constructor(maxBytes: number) {
    super()
    this.scan = createFrameScanner(maxBytes)
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    const refusal = this.scan(chunk)
    if (refusal) return callback(refusal)
    if (!this.head) return callback(null, chunk)
    const head = Buffer.concat([this.head, chunk])
    const level = connectProtocolLevel(head)
    if (level === 'more' && head.length < CONNECT_HEAD_BYTES) {
      this.head = head
      return callback()
    }
    this.head = undefined
    if (typeof level === 'number' && !PARSED_LEVELS.has(level & 0x7f)) return callback(new FrameGuardError('protocol_level', undefined))
    callback(null, head)
  }
  override _flush(callback: TransformCallback) {
    const head = this.head
    this.head = undefined
    callback(null, head?.length ? head : undefined)
  }
}

/**
 * Puts the guard in front of a connection: the broker reads through the guard and writes straight
 * to the connection. A refusal destroys the connection and is reported once; an unacceptable
 * protocol level is answered with CONNACK 0x01 first.
 */
export function guardConnection(connection: Duplex, maxBytes: number, onRefused: (err: FrameGuardError) => void): Duplex {
  const guard = new FrameGuard(maxBytes)
  connection.pipe(guard)
  guard.on('error', (err) => {
    if (err instanceof FrameGuardError) onRefused(err)
    if (err instanceof FrameGuardError && err.reason === 'protocol_level' && connection.writable) {
      connection.end(CONNACK_UNACCEPTABLE_PROTOCOL_LEVEL, () => connection.destroy())
      return
    }
    connection.destroy()
  })
  const guarded = Duplex.from({ readable: guard, writable: connection })
  connection.on('close', () => guarded.destroy())
  return guarded
}
