import { describe, expect, it } from 'vitest'
import { requestIdOf } from './request-id.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('requestIdOf', () => {
  it.each([
    { name: 'a plain id', header: 'abc-123', kept: true },
    { name: 'a UUID', header: '0f8fad5b-d9cb-469f-a165-70867728950e', kept: true },
    { name: 'dots, colons and underscores', header: 'lb.1:req_42', kept: true },
    { name: '64 characters', header: 'a'.repeat(64), kept: true },
    { name: '65 characters', header: 'a'.repeat(65), kept: false },
    { name: 'empty', header: '', kept: false },
    { name: 'a space', header: 'abc 123', kept: false },
    { name: 'a newline', header: 'abc\n{"level":60}', kept: false },
    { name: 'a slash', header: '../x', kept: false },
    { name: 'non-ASCII', header: 'réq', kept: false },
    { name: 'repeated headers', header: ['a', 'b'], kept: false },
    { name: 'no header', header: undefined, kept: false },
  ])('$name: kept $kept', ({ header, kept }) => {
    const id = requestIdOf({ headers: header === undefined ? {} : { 'x-request-id': header as string } })
    if (kept) expect(id).toBe(header)
    else expect(id).toMatch(UUID)
  })

  it('makes a new id for each request without one', () => {
    expect(requestIdOf({ headers: {} })).not.toBe(requestIdOf({ headers: {} }))
  })
})
