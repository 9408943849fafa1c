/**
 * Enforces the maximum MQTT packet size before anything else reads the connection, authentication
 * included: the MQTT parser would otherwise buffer a packet of up to 256 MB before any hook runs.
 *
 * It reads only fixed headers ([MQTT-2.2]: one type byte, then the remaining length as a 1-4 byte
 * variable-length integer) and skips bodies, passing the bytes through unchanged. A packet larger
 * than `maxBytes`, or a malformed length, ends the connection.
 */
import { Duplex, Transform, type TransformCallback } from 'node:stream'

export type FrameRefusal = 'packet_too_large' | 'malformed_length'

export class FrameGuardError extends Error {
  constructor(readonly reason: FrameRefusal, readonly packetBytes: number | undefined) {
    super(reason === 'packet_too_large' ? `MQTT packet of ${packetBytes} bytes is over the limit` : 'malformed MQTT remaining length')
  }
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
  constructor(maxBytes: number) {
    super()
    this.scan = createFrameScanner(maxBytes)
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    const refusal = this.scan(chunk)
    if (refusal) return callback(refusal)
    callback(null, chunk)
  }
}

/**
 * Puts the guard in front of a connection: the broker reads through the guard and writes straight
 * to the connection. A refusal destroys the connection and is reported once.
 */
export function guardConnection(connection: Duplex, maxBytes: number, onRefused: (err: FrameGuardError) => void): Duplex {
  const guard = new FrameGuard(maxBytes)
  connection.pipe(guard)
  guard.on('error', (err) => {
    if (err instanceof FrameGuardError) onRefused(err)
    connection.destroy()
  })
  const guarded = Duplex.from({ readable: guard, writable: connection })
  connection.on('close', () => guarded.destroy())
  return guarded
}
