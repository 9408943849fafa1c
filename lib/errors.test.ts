import { describe, it, expect } from 'vitest'
import { ERROR_CODES, isRetryable, LookoutError, type ErrorCode } from './errors.ts'

describe('LookoutError', () => {
  it('carries its code, message and name, and is an Error', () => {
    const err = new LookoutError('DEVICE_NOT_FOUND', 'no device pendant-404')
    expect(err).toBeInstanceOf(Error)
    expect([err.code, err.message, err.name]).toEqual(['DEVICE_NOT_FOUND', 'no device pendant-404', 'LookoutError'])
  })

  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => ({ name: `takes retryable=${ERROR_CODES[code].retryable} for ${code} from ERROR_CODES`, code }))
  it.each(codes)('$name', ({ code }) => {
    expect(new LookoutError(code, 'x').retryable).toBe(ERROR_CODES[code].retryable)
  })

  const overrides: { name: string; code: ErrorCode; retryable: boolean }[] = [
    { name: 'lets a caller mark a non-retryable code retryable', code: 'INFLUX_WRITE_REJECTED', retryable: true },
    { name: 'lets a caller mark a retryable code non-retryable', code: 'SERVICE_UNAVAILABLE', retryable: false },
  ]
  it.each(overrides)('$name', ({ code, retryable }) => {
    expect(new LookoutError(code, 'x', { retryable }).retryable).toBe(retryable)
  })

  it('keeps the cause it was given', () => {
    const cause = new Error('ECONNRESET')
    expect(new LookoutError('SERVICE_UNAVAILABLE', 'redis unreachable', { cause }).cause).toBe(cause)
  })

  it('has no cause when none is given', () => {
    const err = new LookoutError('SERVICE_UNAVAILABLE', 'redis unreachable', { retryable: true })
    expect('cause' in err).toBe(false)
  })
})

describe('isRetryable', () => {
  const cases: { name: string; err: unknown; expected: boolean }[] = [
    { name: 'is true for a plain Error (unknown failures fail open)', err: new Error('socket hang up'), expected: true },
    { name: 'is true for a thrown non-Error value', err: 'timeout', expected: true },
    { name: 'is true for undefined', err: undefined, expected: true },
    { name: 'is true for SERVICE_UNAVAILABLE', err: new LookoutError('SERVICE_UNAVAILABLE', 'x'), expected: true },
    { name: 'is true for INFLUX_WRITE_FAILED', err: new LookoutError('INFLUX_WRITE_FAILED', 'x'), expected: true },
    { name: 'is false for INFLUX_WRITE_REJECTED', err: new LookoutError('INFLUX_WRITE_REJECTED', 'x'), expected: false },
    { name: 'is false for CONFIG_INVALID', err: new LookoutError('CONFIG_INVALID', 'x'), expected: false },
    { name: 'is false for JOB_INVALID', err: new LookoutError('JOB_INVALID', 'x'), expected: false },
    { name: 'follows an explicit override to false', err: new LookoutError('INFLUX_WRITE_FAILED', 'x', { retryable: false }), expected: false },
    { name: 'follows an explicit override to true', err: new LookoutError('INFLUX_WRITE_REJECTED', 'x', { retryable: true }), expected: true },
  ]
  it.each(cases)('$name', ({ err, expected }) => {
    expect(isRetryable(err)).toBe(expected)
  })
})
