import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { LookoutError } from './errors.ts'
import { createLogger } from './logger.ts'

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) }
}

describe('createLogger', () => {
  const redisError = Object.assign(new Error('OOM command not allowed'), { command: { name: 'evalsha', args: ['sha', '1', 'state-json'] } })
  it.each([
    { name: 'a LookoutError keeps its stack and code', err: new LookoutError('INFLUX_WRITE_FAILED', 'InfluxDB down'), want: { type: 'LookoutError', message: 'InfluxDB down', code: 'INFLUX_WRITE_FAILED' } },
    { name: "a Redis error's command arguments are redacted", err: redisError, want: { type: 'Error', message: 'OOM command not allowed', command: { name: 'evalsha', args: '[redacted]' } } },
  ])('$name', ({ err, want }) => {
    const out = capture()
    createLogger('info', out.stream).child({ component: 'test' }).error({ err }, 'failed')
    const [line] = out.lines()
    expect(line?.err).toMatchObject(want)
    expect(String((line?.err as { stack?: unknown }).stack)).toContain('logger.test.ts')
  })

  it.each([
    { name: 'password', fields: { password: 'pw' }, path: ['password'] },
    { name: 'a nested token', fields: { auth: { token: 'lk_x' } }, path: ['auth', 'token'] },
    { name: 'a payload', fields: { payload: { temperature: 1 } }, path: ['payload'] },
  ])('redacts $name', ({ fields, path }) => {
    const out = capture()
    createLogger('info', out.stream).info(fields, 'x')
    let v: unknown = out.lines()[0]
    for (const key of path) v = (v as Record<string, unknown>)[key]
    expect(v).toBe('[redacted]')
  })
})
