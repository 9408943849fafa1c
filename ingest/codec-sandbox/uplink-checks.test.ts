import { describe, expect, it } from 'vitest'
import { checkUplinkInput, checkUplinkOutput } from './uplink-checks.ts'

describe('checkUplinkInput', () => {
  it.each([
    ['bytes and fPort', { bytes: [0, 1, 255], fPort: 1 }],
    ['no bytes', { bytes: [], fPort: 0 }],
    ['the largest frame', { bytes: new Array(1024).fill(7), fPort: 255 }],
  ])('accepts %s', (_, input) => {
    expect(checkUplinkInput(input)).toEqual({ ok: true, value: input })
  })

  it.each([
    ['null', null, /must be an object/],
    ['a byte over 255', { bytes: [256], fPort: 1 }, /integers 0-255/],
    ['a fractional byte', { bytes: [1.5], fPort: 1 }, /integers 0-255/],
    ['a string of bytes', { bytes: 'AQI=', fPort: 1 }, /integers 0-255/],
    ['too many bytes', { bytes: new Array(1025).fill(0), fPort: 1 }, /over the limit of 1024/],
    ['no fPort', { bytes: [] }, /fPort/],
    ['fPort 256', { bytes: [], fPort: 256 }, /fPort/],
  ])('refuses %s', (_, input, reason) => {
    const checked = checkUplinkInput(input)
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.reason).toMatch(reason)
  })

  it('copies only bytes and fPort', () => {
    expect(checkUplinkInput({ bytes: [1], fPort: 2, extra: true })).toEqual({ ok: true, value: { bytes: [1], fPort: 2 } })
  })
})

describe('checkUplinkOutput', () => {
  it.each([
    ['data', { data: { t: 1 } }, { data: { t: 1 } }],
    ['errors', { errors: ['unknown fPort'] }, { errors: ['unknown fPort'] }],
    ['data with warnings', { data: {}, warnings: ['low battery'] }, { data: {}, warnings: ['low battery'] }],
    ['data with empty errors and other keys', { data: { a: [1] }, errors: [], extra: 1 }, { data: { a: [1] } }],
  ])('accepts %s', (_, value, output) => {
    expect(checkUplinkOutput(value)).toEqual({ ok: true, value: output })
  })

  it.each([
    ['an array', [], /must return an object/],
    ['null', null, /must return an object/],
    ['a number', 3, /must return an object/],
    ['data as an array', { data: [1] }, /data must be an object/],
    ['data as null', { data: null }, /data must be an object/],
    ['errors as a string', { errors: 'bad' }, /errors must be an array of strings/],
    ['errors holding numbers', { errors: [1] }, /errors must be an array of strings/],
    ['warnings as a string', { data: {}, warnings: 'w' }, /warnings must be an array of strings/],
    ['neither data nor errors', {}, /neither data nor errors/],
    ['only empty errors', { errors: [] }, /neither data nor errors/],
  ])('refuses %s', (_, value, reason) => {
    const checked = checkUplinkOutput(value)
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.reason).toMatch(reason)
  })
})
