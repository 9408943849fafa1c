import { describe, expect, it } from 'vitest'
import { createFrameScanner } from './frame-guard.ts'

/** A packet: type byte, remaining length (variable-length integer), body. */
function packet(bodyBytes: number, type = 0x30): Buffer {
  const len: number[] = []
  let x = bodyBytes
  do {
    let byte = x % 128
    x = Math.floor(x / 128)
    if (x > 0) byte |= 0x80
    len.push(byte)
  } while (x > 0)
  return Buffer.concat([Buffer.from([type, ...len]), Buffer.alloc(bodyBytes)])
}

describe('frame scanner', () => {
  const cases: { name: string; max: number; stream: Buffer; refusal?: string }[] = [
    { name: 'passes a packet at exactly the limit', max: 102, stream: packet(100) },
    { name: 'refuses a packet one byte over the limit', max: 101, stream: packet(100), refusal: 'packet_too_large' },
    { name: 'passes several small packets in one chunk', max: 64, stream: Buffer.concat([packet(10), packet(0, 0xc0), packet(20)]) },
    { name: 'refuses the large one among small ones', max: 64, stream: Buffer.concat([packet(10), packet(1000), packet(20)]), refusal: 'packet_too_large' },
    { name: 'reads a 2-byte remaining length (200 bytes)', max: 203, stream: packet(200) },
    { name: 'refuses a 256 MB length from its header alone', max: 32768, stream: Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), refusal: 'packet_too_large' },
    { name: 'refuses a remaining length longer than 4 bytes', max: 1e9, stream: Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]), refusal: 'malformed_length' },
  ]
  it.each(cases)('$name', ({ max, stream, refusal }) => {
    const scan = createFrameScanner(max)
    expect(scan(stream)?.reason).toBe(refusal)
  })

  it('keeps its place across chunks split anywhere, even inside the length', () => {
    const stream = Buffer.concat([packet(300), packet(5), packet(129)])
    for (let split = 1; split < stream.length; split++) {
      const scan = createFrameScanner(400)
      expect(scan(stream.subarray(0, split))).toBeUndefined()
      expect(scan(stream.subarray(split))).toBeUndefined()
    }
    const strict = createFrameScanner(200)
    expect(strict(stream.subarray(0, 2))).toBeUndefined()
    expect(strict(stream.subarray(2, 3))?.reason).toBe('packet_too_large')
  })
})
