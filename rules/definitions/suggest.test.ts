import { describe, expect, it } from 'vitest'
import { closest, editDistance } from './suggest.ts'

describe('editDistance', () => {
  const cases: [string, string, number][] = [
    ['', '', 0],
    ['abc', 'abc', 0],
    ['R7', 'R07', 1],
    ['kitten', 'sitting', 3],
    ['abc', '', 3],
  ]
  it.each(cases)('%s → %s is %i', (a, b, d) => expect(editDistance(a, b)).toBe(d))
})

describe('closest', () => {
  const ids = ['R01', 'R07', 'R08', 'R10', 'H01', 'acme-door-night']
  const cases: { name: string; input: string; known: string[]; expected: string | undefined }[] = [
    { name: 'reads zero-padding as the same id', input: 'R7', known: ids, expected: 'R07' },
    { name: 'ignores case', input: 'r10', known: ids, expected: 'R10' },
    { name: 'finds a one-letter typo', input: 'acme-door-nigth', known: ids, expected: 'acme-door-night' },
    { name: 'finds a field name', input: 'devce', known: ['device', 'site', 'resident', 'deviceType'], expected: 'device' },
    { name: 'gives nothing for a far name', input: 'Z99-unrelated', known: ids, expected: undefined },
    { name: 'gives nothing on a tie', input: 'P5', known: ['P1', 'P2', 'P3', 'P4'], expected: undefined },
    { name: 'gives nothing for an empty list', input: 'x', known: [], expected: undefined },
  ]
  it.each(cases)('$name', ({ input, known, expected }) => expect(closest(input, known)).toBe(expected))
})
