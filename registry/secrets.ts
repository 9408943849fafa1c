/**
 * Device passwords and API tokens are random 256-bit secrets made here, never chosen by people, so a
 * single SHA-256 is enough to store them safely (a slow password hash guards low-entropy human
 * passwords, and would cost ~50 ms of CPU per MQTT connect in a reconnect storm).
 * See docs/decisions/0003-credential-hashing.md.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export function generateSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

export function secretMatches(secret: string, storedHash: string): boolean {
  // Buffer.from(hex) silently stops at the first bad character: check the form first
  if (!/^[0-9a-f]{64}$/.test(storedHash)) return false
  const actual = Buffer.from(hashSecret(secret), 'hex')
  const expected = Buffer.from(storedHash, 'hex')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A public 12-character id ([A-Za-z0-9]) for an API token or an integration, cut from a fresh secret. */
export function generateId(): string {
  return generateSecret().slice(0, 12).replace(/[-_]/g, 'x')
}
