/**
 * Resolving alerts when a rule's condition clears: the Lua transition against real Redis, the API's
 * view of it, and the alert.resolved event on the SSE stream of the alert's tenant only.
 */
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeRedis, createRedis } from '../lib/redis.ts'
import type { AlertCandidate } from '../rules/index.ts'
import { eventually, startTestLookout, type TestLookout } from './helpers/lookout.ts'
import { openSse } from './helpers/sse.ts'

const T0 = Date.parse('2026-11-21T10:00:00Z')
let n = 0

function candidate(tenant: string, facts?: AlertCandidate['facts']): AlertCandidate {
  n += 1
  return {
    rule: 'humidity-high',
    priority: 'P3',
    title: 'Humidity high',
    tenant,
    deviceId: `env-${n}`,
    site: 'flat-12',
    deviceType: 'environment-sensor',
    occurredAt: T0 + n,
    raisedAt: T0 + n,
    dedupeKey: `${tenant}|env-${n}|humidity-high|${T0 + n}`,
    ...(facts ? { facts } : {}),
  }
}

describe('resolving alerts', () => {
  let lookout: TestLookout
  let redis: Redis
  let token: string
  const stream = (tenant: string) => `${lookout.config.keyPrefix}:alert-events:${tenant}`
  const eventsOf = async (tenant: string, alertId: string) =>
    (await lookout.alerts.eventsAfter(tenant, '0-0')).filter((e) => e.alert.id === alertId).map((e) => e.type)

  beforeAll(async () => {
    lookout = await startTestLookout()
    redis = createRedis(lookout.redisUrl, { name: 'test-resolve' })
    token = await lookout.addToken('council-a', 'responder')
  })

  afterAll(async () => {
    if (redis) await closeRedis(redis)
    await lookout?.close()
  })

  it('resolves an open alert: status, resolvedAt, out of the open list, alert.resolved on the stream', async () => {
    const c = candidate('council-a')
    const raised = (await lookout.alerts.raise(c))!
    const at = T0 + 60_000
    const resolved = await lookout.alerts.resolve(c.dedupeKey, at)
    expect(resolved).toEqual({ ...raised, status: 'resolved', resolvedAt: new Date(at).toISOString() })
    expect(await lookout.alerts.get('council-a', raised.id)).toEqual(resolved)
    expect((await lookout.alerts.list('council-a', { status: 'open', limit: 500 })).map((a) => a.id)).not.toContain(raised.id)
    expect(await lookout.alerts.list('council-a', { status: 'all', limit: 500 })).toContainEqual(resolved)
    const events = (await lookout.alerts.eventsAfter('council-a', '0-0')).filter((e) => e.alert.id === raised.id)
    expect(events.map((e) => e.type)).toEqual(['alert.raised', 'alert.resolved'])
    expect(events[1]!.alert).toEqual(resolved)
  })

  it('resolves an acknowledged alert and keeps who acknowledged it and when', async () => {
    const c = candidate('council-a')
    const raised = (await lookout.alerts.raise(c))!
    const acked = await lookout.alerts.acknowledge('council-a', raised.id, 'tok_1', T0 + 30_000)
    const resolved = await lookout.alerts.resolve(c.dedupeKey, T0 + 60_000)
    expect(resolved).toEqual({ ...acked, status: 'resolved', resolvedAt: new Date(T0 + 60_000).toISOString() })
    expect(resolved).toMatchObject({ acknowledgedBy: 'tok_1', acknowledgedAt: new Date(T0 + 30_000).toISOString() })
    expect(await eventsOf('council-a', raised.id)).toEqual(['alert.raised', 'alert.acknowledged', 'alert.resolved'])
  })

  it('resolves once: a second resolve returns undefined, changes nothing and announces nothing', async () => {
    const c = candidate('council-a')
    const raised = (await lookout.alerts.raise(c))!
    const first = await lookout.alerts.resolve(c.dedupeKey, T0 + 60_000)
    const length = await redis.xlen(stream('council-a'))
    expect(await lookout.alerts.resolve(c.dedupeKey, T0 + 120_000)).toBeUndefined()
    expect(await lookout.alerts.get('council-a', raised.id)).toEqual(first)
    expect(await redis.xlen(stream('council-a'))).toBe(length)
    expect(await eventsOf('council-a', raised.id)).toEqual(['alert.raised', 'alert.resolved'])
  })

  it('does nothing for a dedupe key that never raised an alert', async () => {
    const length = await redis.xlen(stream('council-a'))
    expect(await lookout.alerts.resolve('council-a|env-x|humidity-high|never', T0)).toBeUndefined()
    expect(await redis.xlen(stream('council-a'))).toBe(length)
  })

  it('keeps the episode over: raising the same dedupe key again after resolve is a no-op', async () => {
    const c = candidate('council-a')
    const raised = (await lookout.alerts.raise(c))!
    await lookout.alerts.resolve(c.dedupeKey, T0 + 60_000)
    expect(await lookout.alerts.raise({ ...c, raisedAt: T0 + 120_000 })).toBeUndefined()
    expect((await lookout.alerts.get('council-a', raised.id))?.status).toBe('resolved')
    expect((await lookout.alerts.list('council-a', { status: 'open', limit: 500 })).map((a) => a.id)).not.toContain(raised.id)
    expect(await eventsOf('council-a', raised.id)).toEqual(['alert.raised', 'alert.resolved'])
  })

  it('refuses to acknowledge a resolved alert: ALERT_NOT_OPEN in the store, 409 in the API', async () => {
    const c = candidate('council-a')
    const raised = (await lookout.alerts.raise(c))!
    await lookout.alerts.resolve(c.dedupeKey, T0 + 60_000)
    await expect(lookout.alerts.acknowledge('council-a', raised.id, 'tok_1', T0 + 90_000)).rejects.toMatchObject({ code: 'ALERT_NOT_OPEN' })
    const res = await lookout.api(`/api/alerts/${raised.id}/ack`, { method: 'POST', token })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ALERT_NOT_OPEN')
    expect((await lookout.alerts.get('council-a', raised.id))?.status).toBe('resolved')
  })

  it('keeps facts exactly through raise, acknowledge and resolve (the scripts re-encode with cjson)', async () => {
    const facts = { value: 21.700000000000003, limit: 70, sinceMs: 1763720000123, ratio: 0.30000000000000004, code: 'a/b', neverSeen: false }
    const c = candidate('council-a', facts)
    const raised = (await lookout.alerts.raise(c))!
    expect(raised.facts).toEqual(facts)
    expect((await lookout.alerts.get('council-a', raised.id))?.facts).toEqual(facts)
    const acked = await lookout.alerts.acknowledge('council-a', raised.id, 'tok_1', T0 + 30_000)
    expect(acked.facts).toEqual(facts)
    const resolved = await lookout.alerts.resolve(c.dedupeKey, T0 + 60_000)
    expect(resolved?.facts).toEqual(facts)
    const events = (await lookout.alerts.eventsAfter('council-a', '0-0')).filter((e) => e.alert.id === raised.id)
    expect(events.map((e) => e.alert.facts)).toEqual([facts, facts, facts])
    const body = (await (await lookout.api(`/api/alerts/${raised.id}`, { token })).json()) as Record<string, unknown>
    expect(body.facts).toEqual(facts)
    expect(body.status).toBe('resolved')
  })

  it('lists a resolved alert under status=all but not status=open in the API', async () => {
    const c = candidate('council-a')
    const raised = (await lookout.alerts.raise(c))!
    await lookout.alerts.resolve(c.dedupeKey, T0 + 60_000)
    const ids = async (status: string) =>
      ((await (await lookout.api(`/api/alerts?status=${status}&limit=500`, { token })).json()) as { alerts: { id: string; status: string }[] }).alerts
    expect((await ids('open')).map((a) => a.id)).not.toContain(raised.id)
    expect(await ids('all')).toContainEqual(expect.objectContaining({ id: raised.id, status: 'resolved' }))
  })

  it('streams alert.resolved to the alert\'s tenant only, live and on replay after Last-Event-ID', async () => {
    const tokenB = await lookout.addToken('partner-b', 'viewer')
    const streamA = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${token}` })
    const streamB = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${tokenB}` })
    try {
      expect([streamA.status, streamB.status]).toEqual([200, 200])
      const a = candidate('council-a')
      const b = candidate('partner-b')
      const alertA = (await lookout.alerts.raise(a))!
      const alertB = (await lookout.alerts.raise(b))!
      const resolvedA = await lookout.alerts.resolve(a.dedupeKey, T0 + 60_000)
      const resolvedB = await lookout.alerts.resolve(b.dedupeKey, T0 + 60_000)

      const gotA = await eventually(async () => streamA.events.find((e) => e.event === 'alert.resolved' && JSON.parse(e.data).id === alertA.id), 5000, 'alert.resolved on A')
      expect(JSON.parse(gotA.data)).toEqual(resolvedA)
      expect(gotA.id).toMatch(/^\d+-\d+$/)
      // B's own resolve came after A's on the same channel, so A's would have reached B by now
      const gotB = await eventually(async () => streamB.events.find((e) => e.event === 'alert.resolved'), 5000, 'alert.resolved on B')
      expect(JSON.parse(gotB.data)).toEqual(resolvedB)
      expect(streamB.events.map((e) => JSON.parse(e.data).id)).toEqual([alertB.id, alertB.id])
      expect(streamA.events.map((e) => JSON.parse(e.data).id)).not.toContain(alertB.id)

      const raisedA = streamA.events.find((e) => e.event === 'alert.raised' && JSON.parse(e.data).id === alertA.id)!
      const replay = await openSse(`${lookout.httpUrl}/api/alerts/stream`, { authorization: `Bearer ${token}`, 'last-event-id': raisedA.id! })
      try {
        const replayed = await eventually(async () => replay.events.find((e) => e.event === 'alert.resolved' && JSON.parse(e.data).id === alertA.id), 5000, 'replayed alert.resolved')
        expect(replayed.id).toBe(gotA.id)
      } finally {
        replay.close()
      }
    } finally {
      streamA.close()
      streamB.close()
    }
  })
})
