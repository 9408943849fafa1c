/**
 * The HTTP API, built without listening (tests call `inject` or listen on port 0).
 *
 *   GET  /healthz                 200 when broker, Redis and InfluxDB all answer; else 503. No auth.
 *   GET  /metrics                 Prometheus text. No auth (bind to a private interface in production).
 *   GET  /api/alerts              the caller's tenant's alerts, newest first (?status=open|all, ?limit=1..500);
 *                                 open: status open only; all (default): open, acknowledged and resolved
 *   GET  /api/alerts/stream       server-sent events: alert.raised / alert.acknowledged / alert.resolved (the
 *                                 rule's condition cleared); resumes after Last-Event-ID
 *   GET  /api/alerts/:id          one alert
 *   POST /api/alerts/:id/ack      acknowledge (role responder); 409 ALERT_NOT_OPEN if acknowledged or resolved
 * Every /api route needs `Authorization: Bearer <token>`; another tenant's alert answers 404.
 * Every response carries `x-request-id`, and every log line of a request its `reqId` (request-id.ts).
 */
import type { ServerResponse } from 'node:http'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { z } from 'zod'
import type { AlertEvent, AlertStore } from '../alerts/index.ts'
import { LookoutError, type ErrorCode } from '../lib/errors.ts'
import type { InfluxClient } from '../lib/influx.ts'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { Registry } from '../registry/index.ts'
import { streamIdAfter, type AlertHub } from '../alerts/index.ts'
import { authenticate } from './auth.ts'
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.ts'

export interface ApiDeps {
  registry: Registry
  alerts: AlertStore
  hub: AlertHub
  redis: Redis
  influx: InfluxClient
  metrics: Metrics
  log: Logger
  /** Undefined when this process runs no broker. */
  brokerServing?: () => boolean
  now?: () => number
  sseHeartbeatMs?: number
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  ALERT_NOT_FOUND: 404,
  ALERT_NOT_OPEN: 409,
  SERVICE_UNAVAILABLE: 503,
}

const ListQuery = z.object({
  status: z.enum(['open', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
const AlertParams = z.object({ id: z.string().regex(/^al_[0-9a-f]{24}$/, 'alert ids look like al_ followed by 24 hex digits') })
const STREAM_ID = /^\d{1,20}-\d{1,20}$/

function sseFrame(event: AlertEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.alert)}\n\n`
}

async function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))
  try {
    return await Promise.race([promise.catch(() => fallback), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const now = deps.now ?? Date.now
  const app = Fastify({
    // request logs (and the lines below, through request.log) carry the request's id as `reqId`
    loggerInstance: deps.log as FastifyBaseLogger,
    genReqId: requestIdOf,
    bodyLimit: 16_384,
  })
  const streams = new Set<ServerResponse>()

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof LookoutError) {
      const status = STATUS_BY_CODE[error.code] ?? 400
      return reply.status(status).send({ error: { code: error.code, message: error.message } })
    }
    if (error instanceof z.ZodError) {
      const message = error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')
      return reply.status(400).send({ error: { code: 'REQUEST_INVALID', message } })
    }
    const status = (error as { statusCode?: number }).statusCode
    if (status && status < 500) {
      return reply.status(status).send({ error: { code: 'REQUEST_INVALID', message: (error as Error).message } })
    }
    request.log.error({ err: error, route: request.routeOptions.url }, 'request failed')
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } })
  })

  // probes and scrapes: their request lines only at warn, so they do not flood the log
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => {
    const [redis, influx] = await Promise.all([
      withTimeout(deps.redis.ping().then((r) => r === 'PONG'), 1000, false),
      withTimeout(deps.influx.ping(), 2000, false),
    ])
    const checks: Record<string, boolean> = { redis, influx }
    if (deps.brokerServing) checks.broker = deps.brokerServing()
    const ok = Object.values(checks).every(Boolean)
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks })
  })

  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType)
    return deps.metrics.registry.metrics()
  })

  app.get('/api/alerts', async (request) => {
    const principal = await authenticate(request, deps.registry)
    const query = ListQuery.parse(request.query)
    return { alerts: await deps.alerts.list(principal.tenant, query) }
  })

  app.get('/api/alerts/stream', async (request, reply) => {
    const principal = await authenticate(request, deps.registry)
    const lastEventId = request.headers['last-event-id']
    const resumeFrom = typeof lastEventId === 'string' && STREAM_ID.test(lastEventId) ? lastEventId : undefined

    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      [REQUEST_ID_HEADER]: request.id,
    })
    res.write('retry: 2000\n: connected\n\n')
    streams.add(res)
    deps.metrics.sseClients.inc()

    // Live events that arrive while the replay runs wait in `pending`, then go out in order.
    let lastSent = resumeFrom ?? '0-0'
    let pending: AlertEvent[] | undefined = []
    const send = (event: AlertEvent) => {
      if (!streamIdAfter(event.id, lastSent)) return
      lastSent = event.id
      res.write(sseFrame(event))
    }
    const unsubscribe = deps.hub.subscribe(principal.tenant, (event) => (pending ? pending.push(event) : send(event)))
    const heartbeat = setInterval(() => res.write(': ping\n\n'), deps.sseHeartbeatMs ?? 15_000)
    res.on('close', () => {
      clearInterval(heartbeat)
      unsubscribe()
      streams.delete(res)
      deps.metrics.sseClients.dec()
    })
    try {
      if (resumeFrom) for (const event of await deps.alerts.eventsAfter(principal.tenant, resumeFrom)) send(event)
    } catch (err) {
      request.log.error({ err }, 'alert stream replay failed')
    }
    const queued = pending
    pending = undefined
    for (const event of queued) send(event)
  })

  app.get('/api/alerts/:id', async (request) => {
    const principal = await authenticate(request, deps.registry)
    const { id } = AlertParams.parse(request.params)
    const alert = await deps.alerts.get(principal.tenant, id)
    if (!alert) throw new LookoutError('ALERT_NOT_FOUND', `no alert ${id}`)
    return alert
  })

  app.post('/api/alerts/:id/ack', async (request) => {
    const principal = await authenticate(request, deps.registry, ['responder'])
    const { id } = AlertParams.parse(request.params)
    const at = now()
    const alert = await deps.alerts.acknowledge(principal.tenant, id, principal.tokenId, at)
    deps.metrics.alertsAcknowledged.inc()
    deps.metrics.alertRaiseToAckSeconds.observe(Math.max(0, at - Date.parse(alert.raisedAt)) / 1000)
    request.log.info({ tenant: principal.tenant, alertId: id, by: principal.tokenId }, 'alert acknowledged')
    return alert
  })

  app.addHook('preClose', async () => {
    for (const res of streams) res.end()
  })

  return app
}
