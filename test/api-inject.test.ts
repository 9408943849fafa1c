/**
 * Every route of README's HTTP API table driven through Fastify's `inject` (no socket), on an app
 * built by buildApi with real dependencies: the registry, alert store and alert hub on the test
 * Redis, an InfluxDB client on the test influxd (and one on a port nothing listens on), real
 * metrics. The live routes over the network are covered by pendant-to-alert, tenant-walls and
 * alerts-resolve; this file covers each status each route can answer, and the request id.
 */
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { createAlertHub, type AlertHub } from '../alerts/index.ts'
import { buildApi } from '../api/index.ts'
import { createAlertStore, type AlertStore } from '../alerts/index.ts'
import { createInfluxClient } from '../lib/influx.ts'
import { createLogger } from '../lib/logger.ts'
import { createMetrics } from '../lib/metrics.ts'
import { closeRedis, createRedis } from '../lib/redis.ts'
import { createRegistry, type Registry } from '../registry/index.ts'
import { findFreePort } from '../app/services/free-port.ts'
import type { AlertCandidate } from '../rules/index.ts'
import { eventually, uniqueName } from './helpers/lookout.ts'

const T0 = Date.parse('2026-11-21T10:00:00Z')
const NOW = T0 + 60_000
let n = 0

function candidate(tenant: string): AlertCandidate {
  n += 1
  return {
    rule: 'pendant-pressed',
    priority: 'P1',
    title: 'Pendant pressed',
    tenant,
    deviceId: `pendant-${n}`,
    site: 'flat-12',
    deviceType: 'pendant',
    occurredAt: T0 + n,
    raisedAt: T0 + n,
    dedupeKey: `${tenant}|pendant-${n}|pendant-pressed|${T0 + n}`,
  }
}

describe('HTTP API through inject', () => {
  const prefix = uniqueName('t')
  const tenantA = uniqueName('council-a-')
  const tenantB = uniqueName('council-b-')
  const logLines: string[] = []
  let redis: Redis
  let subscriber: Redis
  let registry: Registry
  let alerts: AlertStore
  let hub: AlertHub
  let app: FastifyInstance
  let responder: string
  let viewer: string
  let responderB: string

  const logs = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const build = (overrides: Partial<Parameters<typeof buildApi>[0]> = {}) =>
    buildApi({
      registry,
      alerts,
      hub,
      redis,
      influx: createInfluxClient({ url: inject('influxUrl'), database: 'lookout' }),
      metrics: createMetrics({ defaultMetrics: false }),
      log: createLogger('info', { write: (line: string) => void logLines.push(line) }),
      brokerServing: () => true,
      now: () => NOW,
      ...overrides,
    })

  beforeAll(async () => {
    redis = createRedis(inject('redisUrl'), { name: 'test-api-inject' })
    subscriber = createRedis(inject('redisUrl'), { blocking: true, name: 'test-api-inject-sub' })
    registry = createRegistry(redis, prefix)
    alerts = createAlertStore(redis, prefix)
    hub = await createAlertHub(subscriber, alerts, createLogger('silent'))
    app = build()
    await app.ready()
    responder = (await registry.addToken({ tenant: tenantA, role: 'responder' }, T0)).token
    viewer = (await registry.addToken({ tenant: tenantA, role: 'viewer' }, T0)).token
    responderB = (await registry.addToken({ tenant: tenantB, role: 'responder' }, T0)).token
  })

  afterAll(async () => {
    await app?.close()
    await hub?.close()
    if (subscriber) await closeRedis(subscriber)
    if (redis) await closeRedis(redis)
  })

  describe('GET /healthz', () => {
    it('200 when broker, Redis and InfluxDB all answer', async () => {
      const res = await app.inject({ method: 'GET', url: '/healthz' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ status: 'ok', checks: { redis: true, influx: true, broker: true } })
    })

    it('503 when InfluxDB does not answer', async () => {
      const down = build({ influx: createInfluxClient({ url: `http://127.0.0.1:${await findFreePort()}`, database: 'lookout' }) })
      try {
        const res = await down.inject({ method: 'GET', url: '/healthz' })
        expect(res.statusCode).toBe(503)
        expect(res.json()).toEqual({ status: 'unavailable', checks: { redis: true, influx: false, broker: true } })
      } finally {
        await down.close()
      }
    })

    it('503 when the broker is not serving; no broker check in a process without one', async () => {
      const stopped = build({ brokerServing: () => false })
      const apiOnly = build({ brokerServing: undefined })
      try {
        const res = await stopped.inject({ method: 'GET', url: '/healthz' })
        expect(res.statusCode).toBe(503)
        expect(res.json()).toMatchObject({ status: 'unavailable', checks: { broker: false } })
        const alone = await apiOnly.inject({ method: 'GET', url: '/healthz' })
        expect(alone.statusCode).toBe(200)
        expect(alone.json()).toEqual({ status: 'ok', checks: { redis: true, influx: true } })
      } finally {
        await stopped.close()
        await apiOnly.close()
      }
    })
  })

  it('GET /metrics: Prometheus text with the lookout_ metrics, no token needed', async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toContain('# TYPE lookout_alerts_acknowledged_total counter')
    expect(res.body).toContain('lookout_alert_stream_clients 0')
  })

  describe.each([
    { method: 'GET' as const, url: '/api/alerts' },
    { method: 'GET' as const, url: '/api/alerts/stream' },
    { method: 'GET' as const, url: '/api/alerts/al_000000000000000000000000' },
    { method: 'POST' as const, url: '/api/alerts/al_000000000000000000000000/ack' },
  ])('$method $url without a valid token', ({ method, url }) => {
    it.each([
      { name: 'no Authorization header', headers: {} },
      { name: 'not a bearer token', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { name: 'a malformed token', headers: { authorization: 'Bearer lk_nope' } },
      { name: 'an unknown token', headers: { authorization: `Bearer lk_AAAAAAAAAAAA_${'A'.repeat(43)}` } },
    ])('401 TOKEN_INVALID: $name', async ({ headers }) => {
      const res = await app.inject({ method, url, headers })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ error: { code: 'TOKEN_INVALID' } })
    })
  })

  describe('GET /api/alerts', () => {
    it("200: the token's tenant's alerts, newest first; status=open leaves out acknowledged ones; limit", async () => {
      const first = (await alerts.raise(candidate(tenantA)))!
      const second = (await alerts.raise(candidate(tenantA)))!
      const other = (await alerts.raise(candidate(tenantB)))!
      await alerts.acknowledge(tenantA, first.id, 'tok', NOW)
      const all = await app.inject({ method: 'GET', url: '/api/alerts', headers: bearer(viewer) })
      expect(all.statusCode).toBe(200)
      const ids = (all.json() as { alerts: { id: string }[] }).alerts.map((a) => a.id)
      expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id))
      expect(ids).toContain(first.id)
      expect(ids).not.toContain(other.id)
      const open = await app.inject({ method: 'GET', url: '/api/alerts?status=open', headers: bearer(viewer) })
      const openIds = (open.json() as { alerts: { id: string; status: string }[] }).alerts.map((a) => a.id)
      expect(openIds).toContain(second.id)
      expect(openIds).not.toContain(first.id)
      const one = await app.inject({ method: 'GET', url: '/api/alerts?limit=1', headers: bearer(viewer) })
      expect((one.json() as { alerts: unknown[] }).alerts).toHaveLength(1)
    })

    it.each(['status=closed', 'limit=0', 'limit=501', 'limit=ten', 'limit=1.5'])('400 REQUEST_INVALID for ?%s', async (query) => {
      const res = await app.inject({ method: 'GET', url: `/api/alerts?${query}`, headers: bearer(viewer) })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } })
    })
  })

  describe('GET /api/alerts/<id>', () => {
    it("200 for the tenant's own alert; 404 ALERT_NOT_FOUND for another tenant's and for none", async () => {
      const mine = (await alerts.raise(candidate(tenantA)))!
      const own = await app.inject({ method: 'GET', url: `/api/alerts/${mine.id}`, headers: bearer(viewer) })
      expect(own.statusCode).toBe(200)
      expect(own.json()).toMatchObject({ id: mine.id, tenant: tenantA, status: 'open' })
      const theirs = await app.inject({ method: 'GET', url: `/api/alerts/${mine.id}`, headers: bearer(responderB) })
      expect(theirs.statusCode).toBe(404)
      expect(theirs.json()).toMatchObject({ error: { code: 'ALERT_NOT_FOUND' } })
      const none = await app.inject({ method: 'GET', url: '/api/alerts/al_ffffffffffffffffffffffff', headers: bearer(viewer) })
      expect(none.statusCode).toBe(404)
    })

    it('400 REQUEST_INVALID for an id that is no alert id', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/alerts/nope', headers: bearer(viewer) })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: { code: 'REQUEST_INVALID' } })
    })
  })

  describe('POST /api/alerts/<id>/ack', () => {
    it('200 for a responder: acknowledgedBy and acknowledgedAt recorded; then 409 ALERT_NOT_OPEN', async () => {
      const alert = (await alerts.raise(candidate(tenantA)))!
      const tokenId = (await registry.authenticateToken(responder))!.tokenId
      const res = await app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: bearer(responder) })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ id: alert.id, status: 'acknowledged', acknowledgedBy: tokenId, acknowledgedAt: new Date(NOW).toISOString() })
      const again = await app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: bearer(responder) })
      expect(again.statusCode).toBe(409)
      expect(again.json()).toMatchObject({ error: { code: 'ALERT_NOT_OPEN' } })
      const metrics = await app.inject({ method: 'GET', url: '/metrics' })
      expect(metrics.body).toContain('lookout_alerts_acknowledged_total 1')
    })

    it('409 ALERT_NOT_OPEN for a resolved alert', async () => {
      const c = candidate(tenantA)
      const alert = (await alerts.raise(c))!
      await alerts.resolve(c.dedupeKey, NOW)
      const res = await app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: bearer(responder) })
      expect(res.statusCode).toBe(409)
    })

    it('403 FORBIDDEN for a viewer, and the alert stays open', async () => {
      const alert = (await alerts.raise(candidate(tenantA)))!
      const res = await app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: bearer(viewer) })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } })
      expect((await alerts.get(tenantA, alert.id))?.status).toBe('open')
    })

    it("404 ALERT_NOT_FOUND for another tenant's alert, which stays open", async () => {
      const alert = (await alerts.raise(candidate(tenantA)))!
      const res = await app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: bearer(responderB) })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({ error: { code: 'ALERT_NOT_FOUND' } })
      expect((await alerts.get(tenantA, alert.id))?.status).toBe('open')
    })

    it('400 REQUEST_INVALID for an id that is no alert id', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/alerts/al_xyz/ack', headers: bearer(responder) })
      expect(res.statusCode).toBe(400)
    })
  })

  describe('GET /api/alerts/stream', () => {
    it("200 text/event-stream: the tenant's own alert events only, live and resumed after Last-Event-ID", async () => {
      const before = (await alerts.raise(candidate(tenantA)))!
      const [replayFrom] = (await alerts.eventsAfter(tenantA, '0-0')).filter((e) => e.alert.id === before.id).map((e) => e.id)
      const abort = new AbortController()
      const res = await app.inject({ method: 'GET', url: '/api/alerts/stream', headers: { ...bearer(viewer), 'last-event-id': '0-0' }, payloadAsStream: true, signal: abort.signal })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8')
      let text = ''
      res.stream().on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
      res.stream().on('error', () => undefined)
      // replayed: the alert raised before the stream opened
      await eventually(async () => (text.includes(`id: ${replayFrom}\nevent: alert.raised`) ? true : undefined), 5000, 'replayed event')
      const theirs = (await alerts.raise(candidate(tenantB)))!
      const live = (await alerts.raise(candidate(tenantA)))!
      await eventually(async () => (text.includes(`"id":"${live.id}"`) ? true : undefined), 5000, 'live event')
      expect(text).not.toContain(theirs.id)
      abort.abort()
    })
  })

  describe('request ids', () => {
    it('each response carries x-request-id, and each log line of the request its reqId', async () => {
      const alert = (await alerts.raise(candidate(tenantA)))!
      const res = await app.inject({ method: 'POST', url: `/api/alerts/${alert.id}/ack`, headers: bearer(responder) })
      const id = res.headers['x-request-id']
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      const lines = logs().filter((l) => l.reqId === id)
      expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'alert acknowledged', 'request completed'])
      const other = await app.inject({ method: 'GET', url: '/api/alerts', headers: bearer(viewer) })
      expect(other.headers['x-request-id']).not.toBe(id)
    })

    it("keeps a caller's well-formed x-request-id and replaces one that is not", async () => {
      const kept = await app.inject({ method: 'GET', url: '/api/alerts', headers: { ...bearer(viewer), 'x-request-id': 'lb-7f3a.42' } })
      expect(kept.headers['x-request-id']).toBe('lb-7f3a.42')
      expect(logs().some((l) => l.reqId === 'lb-7f3a.42' && l.msg === 'request completed')).toBe(true)
      const replaced = await app.inject({ method: 'GET', url: '/api/alerts', headers: { ...bearer(viewer), 'x-request-id': 'x'.repeat(200) } })
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
      expect(logLines.join('\n')).not.toContain('x'.repeat(200))
    })

    it('an error answer carries its request id too; the stream sends it in its own headers', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/alerts?limit=0', headers: { ...bearer(viewer), 'x-request-id': 'bad-query-1' } })
      expect(res.statusCode).toBe(400)
      expect(res.headers['x-request-id']).toBe('bad-query-1')
      const abort = new AbortController()
      const stream = await app.inject({ method: 'GET', url: '/api/alerts/stream', headers: { ...bearer(viewer), 'x-request-id': 'sse-1' }, payloadAsStream: true, signal: abort.signal })
      stream.stream().on('error', () => undefined)
      expect(stream.headers['x-request-id']).toBe('sse-1')
      abort.abort()
    })

    it('probes and scrapes leave no request lines at info', async () => {
      const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'probe-1' } })
      expect(res.headers['x-request-id']).toBe('probe-1')
      await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-request-id': 'scrape-1' } })
      expect(logs().filter((l) => l.reqId === 'probe-1' || l.reqId === 'scrape-1')).toEqual([])
    })
  })
})
