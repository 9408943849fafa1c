/**
 * What the broker records of connections: the number open (a gauge), each device's connect and
 * disconnect as events (through the same durable hand-off as its messages) and its last-seen time,
 * and client and connection errors at debug level.
 */
import type { Aedes, Client } from 'aedes'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import type { IngestRecord } from '../lib/records.ts'
import { connectedClient } from './aedes-internals.ts'
import type { LastSeenTracker } from './last-seen.ts'
import { principalLogFields, type Principal } from './principals.ts'

export interface ConnectionEventsDeps {
  metrics: Metrics
  log: Logger
  now: () => number
  accept: (record: IngestRecord) => Promise<void>
  lastSeen?: LastSeenTracker | undefined
  principals: WeakMap<Client, Principal>
}

export function recordConnectionEvents(aedes: Aedes, deps: ConnectionEventsDeps): void {
  const { metrics, log, now, principals } = deps

  function record(principal: Principal, eventType: 'device.connected' | 'device.disconnected') {
    if (principal.kind !== 'device') return
    const d = principal.device
    const at = now()
    deps
      .accept({ kind: 'event', source: 'broker', tenant: d.tenant, deviceId: d.deviceId, site: d.site, deviceType: d.type, timeZone: d.timeZone, ts: at, receivedAt: at, eventType })
      .catch((err: unknown) => log.error({ err, deviceId: d.deviceId }, 'could not record a connection event'))
  }

  aedes.on('client', (client) => {
    metrics.mqttConnections.inc()
    const principal = principals.get(client)
    if (principal) {
      record(principal, 'device.connected')
      if (principal.kind === 'device') deps.lastSeen?.seen(principal.device.tenant, principal.device.deviceId, now())
    }
  })
  aedes.on('clientDisconnect', (client) => {
    const principal = principals.get(client)
    if (!principal) return
    metrics.mqttConnections.dec()
    // a takeover by the same device: its new connection is already registered, it never went away
    const current = connectedClient(aedes, client.id)
    if (!aedes.closed && !(current && current !== client)) record(principal, 'device.disconnected')
  })
  aedes.on('clientError', (client, err) => {
    const principal = principals.get(client)
    log.debug({ ...(principal ? principalLogFields(principal) : {}), err }, 'mqtt client error')
  })
  aedes.on('connectionError', (_client, err) => log.debug({ err }, 'mqtt connection error'))
}
