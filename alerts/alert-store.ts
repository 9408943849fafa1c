/**
 * Alerts in Redis. Raising, acknowledging and resolving are single Lua scripts, so each transition is
 * atomic and announced exactly once: open → acknowledged → resolved, or open → resolved.
 *
 * Keys (P = key prefix, t = tenant):
 *   P:alert:<id>              the alert, JSON; its facts are kept as JSON text in `factsJson`, so the
 *                             scripts, which re-encode the alert with cjson, never touch them (cjson
 *                             writes numbers with 14 significant digits and empty arrays as {})
 *   P:alerts:<t>              sorted set of the tenant's alert ids by raisedAt
 *   P:alerts:<t>:open         sorted set of its open alert ids
 *   P:alert-events:<t>        stream of { type, alert } changes (SSE replay by Last-Event-ID), capped
 * Channel P:alert-events     pub/sub of { tenant, id, type, alert } for live SSE fan-out
 */
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { LookoutError } from '../lib/errors.ts'
import type { AlertCandidate } from '../lib/alert-contract.ts'
import { Alert, AlertFacts, alertFrom, alertIdFor } from './alert.ts'

export const ALERT_EVENT_TYPES = ['alert.raised', 'alert.acknowledged', 'alert.resolved'] as const
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number]

export interface AlertEvent {
  /** Stream id: the SSE event id. */
  id: string
  tenant: string
  type: AlertEventType
  alert: Alert
}

const STREAM_MAXLEN = 10_000

/** KEYS: alert, tenant index, tenant open index, tenant stream. ARGV: id, json, score, channel, maxlen, tenant. */
const RAISE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
local sid = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'type', 'alert.raised', 'alert', ARGV[2])
redis.call('PUBLISH', ARGV[4], cjson.encode({ tenant = ARGV[6], id = sid, type = 'alert.raised', alert = ARGV[2] }))
return sid`

/** KEYS: alert, tenant open index, tenant stream. ARGV: tenant, acknowledgedAt, acknowledgedBy, channel, maxlen.
 *  Returns {0} unknown (or other tenant's), {2, json} not open, {1, json} acknowledged now. */
const ACK = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {0} end
local alert = cjson.decode(raw)
if alert.tenant ~= ARGV[1] then return {0} end
if alert.status ~= 'open' then return {2, raw} end
alert.status = 'acknowledged'
alert.acknowledgedAt = ARGV[2]
alert.acknowledgedBy = ARGV[3]
local json = cjson.encode(alert)
redis.call('SET', KEYS[1], json)
redis.call('ZREM', KEYS[2], alert.id)
local sid = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'type', 'alert.acknowledged', 'alert', json)
redis.call('PUBLISH', ARGV[4], cjson.encode({ tenant = ARGV[1], id = sid, type = 'alert.acknowledged', alert = json }))
return {1, json}`

/** KEYS: alert, tenant open index, tenant stream. ARGV: tenant, resolvedAt, channel, maxlen.
 *  Returns the alert's json when it was resolved now; false when unknown, another tenant's or already resolved. */
const RESOLVE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local alert = cjson.decode(raw)
if alert.tenant ~= ARGV[1] then return false end
if alert.status == 'resolved' then return false end
alert.status = 'resolved'
alert.resolvedAt = ARGV[2]
local json = cjson.encode(alert)
redis.call('SET', KEYS[1], json)
redis.call('ZREM', KEYS[2], alert.id)
local sid = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'type', 'alert.resolved', 'alert', json)
redis.call('PUBLISH', ARGV[3], cjson.encode({ tenant = ARGV[1], id = sid, type = 'alert.resolved', alert = json }))
return json`

/** An alert as kept in Redis (and in stream entries and channel messages): facts as JSON text. */
const StoredAlert = Alert.omit({ facts: true }).extend({ factsJson: z.string().optional() })

/** The stored JSON of an alert: facts, when present, as JSON text in `factsJson`. */
export function storedAlertJson(alert: Alert): string {
  const { facts, ...rest } = alert
  return JSON.stringify(facts === undefined ? rest : { ...rest, factsJson: JSON.stringify(facts) })
}

/** Reads stored JSON (also after a script re-encoded it) back into an Alert. */
export function parseStoredAlert(json: string): Alert {
  const { factsJson, ...rest } = StoredAlert.parse(JSON.parse(json))
  return factsJson === undefined ? rest : { ...rest, facts: AlertFacts.parse(JSON.parse(factsJson)) }
}

export function createAlertStore(redis: Redis, prefix: string) {
  const k = {
    alert: (id: string) => `${prefix}:alert:${id}`,
    index: (t: string) => `${prefix}:alerts:${t}`,
    open: (t: string) => `${prefix}:alerts:${t}:open`,
    stream: (t: string) => `${prefix}:alert-events:${t}`,
  }
  const channel = `${prefix}:alert-events`

  return {
    channel,

    /** Raises the alert for a candidate unless its dedupe key already raised one. Returns it if new. */
    async raise(candidate: AlertCandidate): Promise<Alert | undefined> {
      const alert = alertFrom(candidate)
      const json = storedAlertJson(alert)
      const sid = await redis.eval(
        RAISE,
        4,
        k.alert(alert.id),
        k.index(alert.tenant),
        k.open(alert.tenant),
        k.stream(alert.tenant),
        alert.id,
        json,
        candidate.raisedAt,
        channel,
        STREAM_MAXLEN,
        alert.tenant,
      )
      return sid ? alert : undefined
    },

    async get(tenant: string, id: string): Promise<Alert | undefined> {
      const json = await redis.get(k.alert(id))
      if (!json) return undefined
      const alert = parseStoredAlert(json)
      return alert.tenant === tenant ? alert : undefined
    },

    /** Newest first. */
    async list(tenant: string, options: { status?: 'open' | 'all'; limit: number }): Promise<Alert[]> {
      const index = options.status === 'open' ? k.open(tenant) : k.index(tenant)
      const ids = await redis.zrevrange(index, 0, options.limit - 1)
      if (ids.length === 0) return []
      const jsons = await redis.mget(ids.map(k.alert))
      return jsons.filter((j): j is string => j !== null).map(parseStoredAlert).filter((a) => a.tenant === tenant)
    },

    async acknowledge(tenant: string, id: string, by: string, now: number): Promise<Alert> {
      const result = (await redis.eval(ACK, 3, k.alert(id), k.open(tenant), k.stream(tenant), tenant, new Date(now).toISOString(), by, channel, STREAM_MAXLEN)) as [number, string?]
      const [status, json] = result
      if (status === 0 || !json) throw new LookoutError('ALERT_NOT_FOUND', `no alert ${id}`)
      if (status === 2) throw new LookoutError('ALERT_NOT_OPEN', `alert ${id} is already ${parseStoredAlert(json).status}`)
      return parseStoredAlert(json)
    },

    /**
     * Resolves the alert raised for `dedupeKey` (the rule's condition cleared at `at`, epoch ms): status
     * `resolved`, `resolvedAt` set, acknowledgement kept, out of the open index, `alert.resolved`
     * announced. Returns it if it changed; undefined, changing nothing, if it was never raised or is
     * already resolved. A later raise with the same key stays a no-op: that episode is over.
     */
    async resolve(dedupeKey: string, at: number): Promise<Alert | undefined> {
      const resolvedAt = new Date(at).toISOString()
      const id = alertIdFor(dedupeKey)
      // Read first only to learn the tenant, whose keys the script must be given; the script checks again.
      const raw = await redis.get(k.alert(id))
      if (!raw) return undefined
      const { tenant } = parseStoredAlert(raw)
      const json = (await redis.eval(RESOLVE, 3, k.alert(id), k.open(tenant), k.stream(tenant), tenant, resolvedAt, channel, STREAM_MAXLEN)) as string | null
      return json ? parseStoredAlert(json) : undefined
    },

    /** Events after `afterId` (exclusive), oldest first: what an SSE client missed while away. */
    async eventsAfter(tenant: string, afterId: string, count = 1000): Promise<AlertEvent[]> {
      const entries = await redis.xrange(k.stream(tenant), `(${afterId}`, '+', 'COUNT', count)
      return entries.map(([id, fields]) => {
        const map: Record<string, string> = {}
        for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!
        return { id, tenant, type: map.type as AlertEventType, alert: parseStoredAlert(map.alert ?? '{}') }
      })
    },

    /** Parses a message of `channel`. */
    parseEvent(message: string): AlertEvent {
      const m = JSON.parse(message) as { tenant: string; id: string; type: AlertEventType; alert: string }
      return { id: m.id, tenant: m.tenant, type: m.type, alert: parseStoredAlert(m.alert) }
    },
  }
}

export type AlertStore = ReturnType<typeof createAlertStore>
