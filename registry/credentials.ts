/** How an integration's or an API token's credential is issued: one id, one secret, only its hash kept. */
import type { Redis } from 'ioredis'
import { generateId, generateSecret, hashSecret } from './secrets.ts'

/** Stores a new credential record under a fresh id with the secret's hash; returns the id and the secret, once. */
export async function issueCredential(redis: Redis, keyOf: (id: string) => string, fields: Record<string, string>, now: number): Promise<{ id: string; secret: string }> {
  const id = generateId()
  const secret = generateSecret()
  await redis.hset(keyOf(id), { ...fields, secretHash: hashSecret(secret), createdAt: new Date(now).toISOString() })
  return { id, secret }
}
