import { describe, it, expect } from 'vitest'
import { generateSecret, hashSecret, secretMatches } from './secrets.ts'

describe('generateSecret', () => {
  it('gives 43-character base64url strings (256 bits, unpadded)', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateSecret()
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32)
    }
  })

  it('gives 1,000 distinct secrets in 1,000 calls', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateSecret()))
    expect(secrets.size).toBe(1000)
  })
})

describe('hashSecret', () => {
  const cases = [
    { name: 'is the SHA-256 hex of the empty string', secret: '', expected: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    { name: 'is the SHA-256 hex of "abc"', secret: 'abc', expected: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  ]
  it.each(cases)('$name', ({ secret, expected }) => {
    expect(hashSecret(secret)).toBe(expected)
  })

  it('gives 64 lower-case hex characters, the same every time for the same secret', () => {
    const secret = generateSecret()
    const hash = hashSecret(secret)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(hashSecret(secret)).toBe(hash)
  })

  it('gives different hashes for secrets that differ in one character', () => {
    expect(hashSecret('secret-a')).not.toBe(hashSecret('secret-b'))
  })
})

describe('secretMatches', () => {
  const secret = 'q3J0x9-VvGm_2nS8cA1dE4fH7kL0pR5tW6yZ8bN2mQx'
  const stored = hashSecret(secret)

  it('is true for the secret that was hashed', () => {
    expect(secretMatches(secret, stored)).toBe(true)
  })

  const mismatches = [
    { name: 'is false for a different secret', candidate: generateSecret(), storedHash: stored },
    { name: 'is false for the secret with one character changed', candidate: `${secret.slice(0, -1)}y`, storedHash: stored },
    { name: 'is false for an empty secret', candidate: '', storedHash: stored },
    { name: 'is false for the stored hash given as the secret', candidate: stored, storedHash: stored },
    { name: 'is false for an empty stored hash', candidate: secret, storedHash: '' },
    { name: 'is false for a stored hash that is not hex', candidate: secret, storedHash: 'not-a-hash' },
    { name: 'is false for a truncated stored hash', candidate: secret, storedHash: stored.slice(0, 62) },
    { name: 'is false for a stored hash with trailing non-hex characters', candidate: secret, storedHash: `${stored}zz` },
    { name: 'is false for a stored hash with one extra hex character', candidate: secret, storedHash: `${stored}a` },
    { name: 'is false for a stored hash in upper case', candidate: secret, storedHash: stored.toUpperCase() },
    { name: 'is false for a stored hash with a non-hex character inside', candidate: secret, storedHash: `${stored.slice(0, 10)}zz${stored.slice(12)}` },
  ]
  it.each(mismatches)('$name', ({ candidate, storedHash }) => {
    expect(secretMatches(candidate, storedHash)).toBe(false)
  })
})
