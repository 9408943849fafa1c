import { describe, expect, it } from 'vitest'
import { remainingLength } from '../test/helpers/raw-mqtt.ts'
import { connectProtocolLevel, createFrameScanner } from './frame-guard.ts'

/** A packet: type byte, remaining length (variable-length integer), body. */
function packet(bodyBytes: number, type = 0x30): Buffer {
  return Buffer.concat([Buffer.from([type]), remainingLength(bodyBytes), Buffer.alloc(bodyBytes)])
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

describe('CONNECT protocol level', () => {
  /** A CONNECT's first bytes: fixed header, protocol name, level, then a few more. */
  const connect = (name: string, level: number, remaining = 20) => Buffer.concat([Buffer.from([0x10, remaining, 0, name.length]), Buffer.from(name), Buffer.from([level, 0x02, 0, 60])])
  const cases: { name: string; head: Buffer; level: number | 'more' | undefined }[] = [
    { name: 'reads level 4 after "MQTT"', head: connect('MQTT', 4), level: 4 },
    { name: 'reads level 3 after "MQIsdp"', head: connect('MQIsdp', 3), level: 3 },
    { name: 'reads an unknown level', head: connect('MQTT', 9), level: 9 },
    { name: 'reads the level after a 2-byte remaining length', head: Buffer.concat([Buffer.from([0x10, 0x80, 0x01, 0, 4]), Buffer.from('MQTT'), Buffer.from([7])]), level: 7 },
    { name: 'asks for more before the level', head: connect('MQTT', 4).subarray(0, 8), level: 'more' },
    { name: 'asks for more inside the remaining length', head: Buffer.from([0x10, 0x80]), level: 'more' },
    { name: 'asks for more with nothing yet', head: Buffer.alloc(0), level: 'more' },
    { name: 'leaves a first packet that is not a CONNECT to the parser', head: Buffer.from([0x30, 0x02, 0, 0]), level: undefined },
    { name: 'leaves an unknown protocol name to the parser', head: connect('XYZ', 9), level: undefined },
  ]
  it.each(cases)('$name', ({ head, level }) => {
    expect(connectProtocolLevel(head)).toBe(level)
  })
})
