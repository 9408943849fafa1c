/**
 * MQTT 3.1.1 packets as raw bytes, for the protocol cases a well-behaved client library never sends
 * (a DUP re-send, packet id 0, an unknown protocol level, keep-alive 0), and a raw connection that
 * collects what the broker sends back, packet by packet. Layouts: MQTT 3.1.1 sections 2.2, 3.1, 3.3.
 */
import net from 'node:net'

function utf8(text: string): Buffer {
  const body = Buffer.from(text, 'utf8')
  const length = Buffer.alloc(2)
  length.writeUInt16BE(body.length)
  return Buffer.concat([length, body])
}

/** MQTT's variable-length integer for a packet's remaining length ([MQTT-2.2.3]). */
export function remainingLength(n: number): Buffer {
  const bytes: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    bytes.push(byte)
  } while (n > 0)
  return Buffer.from(bytes)
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body])
}

export function connectPacket(options: { clientId: string; username?: string; password?: string; keepalive?: number; clean?: boolean; level?: number }): Buffer {
  let flags = options.clean === false ? 0 : 0x02
  if (options.username !== undefined) flags |= 0x80
  if (options.password !== undefined) flags |= 0x40
  const keepalive = Buffer.alloc(2)
  keepalive.writeUInt16BE(options.keepalive ?? 60)
  const body = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([options.level ?? 4, flags]),
    keepalive,
    utf8(options.clientId),
    options.username !== undefined ? utf8(options.username) : Buffer.alloc(0),
    options.password !== undefined ? utf8(options.password) : Buffer.alloc(0),
  ])
  return packet(0x10, body)
}

export function publishPacket(options: { topic: string; payload: string; qos: 0 | 1 | 2; messageId?: number; dup?: boolean }): Buffer {
  const id = Buffer.alloc(options.qos > 0 ? 2 : 0)
  if (options.qos > 0) id.writeUInt16BE(options.messageId ?? 1)
  const first = 0x30 | (options.dup ? 0x08 : 0) | (options.qos << 1)
  return packet(first, Buffer.concat([utf8(options.topic), id, Buffer.from(options.payload, 'utf8')]))
}

export function pubrelPacket(messageId: number): Buffer {
  const id = Buffer.alloc(2)
  id.writeUInt16BE(messageId)
  return packet(0x62, id)
}

export interface ReceivedPacket {
  /** The packet type, high nibble of the first byte: 2 CONNACK, 4 PUBACK, 5 PUBREC, 7 PUBCOMP. */
  type: number
  body: Buffer
}

/** A raw TCP connection to the broker; `received` fills as whole packets arrive. */
export interface RawConnection {
  received: ReceivedPacket[]
  send(bytes: Buffer): void
  /** Resolves with the first received packet (from the start) that matches, or rejects after `timeoutMs`. */
  waitFor(match: (p: ReceivedPacket) => boolean, timeoutMs?: number): Promise<ReceivedPacket>
  /** Resolves when the broker has closed the connection (or rejects after `timeoutMs`). */
  closed(timeoutMs?: number): Promise<void>
  isClosed(): boolean
  destroy(): void
}

export function rawConnect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const received: ReceivedPacket[] = []
    let buffered = Buffer.alloc(0)
    let isClosed = false
    const waiters = new Set<() => void>()
    const notify = () => {
      for (const w of [...waiters]) w()
    }
    socket.on('data', (data) => {
      buffered = Buffer.concat([buffered, data])
      for (;;) {
        if (buffered.length < 2) break
        let length = 0
        let multiplier = 1
        let i = 1
        let complete = false
        while (i < buffered.length && i <= 4) {
          const byte = buffered[i++]!
          length += (byte & 0x7f) * multiplier
          multiplier *= 128
          if (!(byte & 0x80)) {
            complete = true
            break
          }
        }
        if (!complete || buffered.length < i + length) break
        received.push({ type: buffered[0]! >> 4, body: buffered.subarray(i, i + length) })
        buffered = buffered.subarray(i + length)
      }
      notify()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      isClosed = true
      notify()
    })
    socket.once('connect', () =>
      resolve({
        received,
        send: (bytes) => socket.write(bytes),
        waitFor(match, timeoutMs = 3000) {
          return new Promise((res, rej) => {
            const check = () => {
              const found = received.find(match)
              if (found) {
                waiters.delete(check)
                clearTimeout(timer)
                res(found)
              } else if (isClosed) {
                waiters.delete(check)
                clearTimeout(timer)
                rej(new Error('connection closed before the awaited packet'))
              }
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              rej(new Error('awaited packet did not arrive'))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
        closed(timeoutMs = 3000) {
          return new Promise((res, rej) => {
            const check = () => {
              if (!isClosed) return
              waiters.delete(check)
              clearTimeout(timer)
              res()
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              rej(new Error('connection was not closed'))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
        isClosed: () => isClosed,
        destroy: () => socket.destroy(),
      }),
    )
    socket.once('error', reject)
  })
}

/** The CONNACK return code in a CONNACK packet's body ([MQTT-3.2.2.3]). */
export const connackCode = (p: ReceivedPacket) => p.body[1]
/** The packet identifier of a PUBACK, PUBREC or PUBCOMP. */
export const ackId = (p: ReceivedPacket) => p.body.readUInt16BE(0)
