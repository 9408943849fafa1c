import { describe, expect, it } from 'vitest'
import { isRunning, parseProcStat, startTimeOf } from './server-process.ts'

// /proc/<pid>/stat: pid (comm) state ppid ... field 22 is starttime (proc(5))
const tail = (state: string, start: string) => `${state} 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 ${start} 7000000 200`

describe('parseProcStat', () => {
  it.each([
    ['a plain name', `4242 (redis-server) ${tail('S', '123456')}`, { state: 'S', startTime: 123456 }],
    ['a name with spaces and parentheses', `77 (my (odd) name) ${tail('R', '99')}`, { state: 'R', startTime: 99 }],
    ['a zombie', `5 (influxd) ${tail('Z', '1')}`, { state: 'Z', startTime: 1 }],
    ['no closing parenthesis', '5 (influxd S 1 1', undefined],
    ['too few fields', '5 (influxd) S 1 1', undefined],
    ['an empty line', '', undefined],
  ])('%s', (_label, line, expected) => {
    expect(parseProcStat(line)).toEqual(expected)
  })
})

describe('isRunning and startTimeOf', () => {
  it('know this process', () => {
    expect(isRunning(process.pid)).toBe(true)
    expect(startTimeOf(process.pid)).toBeGreaterThan(0)
  })

  it.each([[undefined], [0], [-1], [1.5]])('treat %s as no process', (pid) => {
    expect(isRunning(pid)).toBe(false)
  })
})
