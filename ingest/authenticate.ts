/**
 * Who may connect: aedes's preConnect and authenticate hooks. A device (username = device id) or a
 * network-server integration (username = `integration:<id>`), by its secret.
 *
 * Before the registry is asked: an address with too many refused attempts is refused (CONNACK 3);
 * keep-alive must be between 1 s and the configured maximum and an empty client id needs a clean
 * session (else CONNACK 2). After: the client id must belong to the principal (client-ids.ts; else
 * CONNACK 2), so take-over is only by the same principal; connection attempts are rate-limited per
 * principal (CONNACK 3). Refusals before the principal is known count against the source address.
 */
import type { AedesOptions, AuthenticateError, Client } from 'aedes'
import type { Logger } from '../lib/logger.ts'
import type { Metrics } from '../lib/metrics.ts'
import { INTEGRATION_USERNAME_PREFIX, type Registry } from '../registry/index.ts'
import type { BrokerLimits } from './broker-limits.ts'
import { clientIdBelongsTo } from './client-ids.ts'
import type { ConnectRefusalReason } from './connect-refusals.ts'
import { principalId, principalLogFields, type Principal } from './principals.ts'
import { createKeyedBuckets } from './rate-limit.ts'
import { addressKey } from './source-address.ts'

// MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]
const IDENTIFIER_REJECTED = 2
const SERVER_UNAVAILABLE = 3
const BAD_USERNAME_OR_PASSWORD = 4

export interface AuthenticateDeps {
  registry: Registry
  metrics: Metrics
  log: Logger
  limits: Pick<BrokerLimits, 'maxKeepaliveSeconds' | 'connectPerMinute' | 'addressFailuresPerMinute'>
  now: () => number
  /** Filled here: each authenticated connection's principal. */
  principals: WeakMap<Client, Principal>
  /** The client connected with this client id, if any. */
  connectedClient: (clientId: string) => Client | undefined
}

type Lookup = { ok: true; principal: Principal } | { ok: false; reason: ConnectRefusalReason }

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

export function createAuthentication(deps: AuthenticateDeps) {
  const { registry, metrics, log, limits, now, principals } = deps
  /** Connection attempts per principal, counted once authenticated: nobody else can use them up. */
  const connectBuckets = createKeyedBuckets({ perSecond: limits.connectPerMinute / 60, burst: limits.connectPerMinute })
  /** Refused connection attempts per source address, whatever client id or username they carry. */
  const addressFailures = createKeyedBuckets({ perSecond: limits.addressFailuresPerMinute / 60, burst: limits.addressFailuresPerMinute })
  /** The source address of each connection, by the stream aedes reads (its `client.conn`). */
  const addresses = new WeakMap<object, string>()
  /** What the CONNECT asked for, as sent: aedes replaces an empty client id before authenticate runs. */
  const connectRequests = new WeakMap<Client, { clientId: string; clean: boolean; keepalive: number }>()

  function lookUp(username: string, secret: string): Promise<Lookup> {
    return username.startsWith(INTEGRATION_USERNAME_PREFIX)
      ? registry.authenticateIntegration(username, secret).then((r) => (r.ok ? { ok: true, principal: { kind: 'integration', integration: r.integration } } : r))
      : registry.authenticateDevice(username, secret).then((r) => (r.ok ? { ok: true, principal: { kind: 'device', device: r.device } } : r))
  }

  const preConnect: NonNullable<AedesOptions['preConnect']> = (client, packet, done) => {
    connectRequests.set(client, { clientId: packet.clientId, clean: packet.clean !== false, keepalive: packet.keepalive ?? 0 })
    done(null, true)
  }

  const authenticate: NonNullable<AedesOptions['authenticate']> = (client, username, password, done) => {
    const address = addresses.get(client.conn) ?? 'unknown'
    const request = connectRequests.get(client) ?? { clientId: client.id, clean: client.clean, keepalive: 0 }
    const count = (reason: ConnectRefusalReason) => metrics.mqttAuthFailures.inc({ reason })
    /** A refusal that counts against the source address (the others below do not). */
    const refuse = (reason: ConnectRefusalReason, message: string, returnCode: number, fields: object = {}) => {
      addressFailures.tryTake(address, now())
      count(reason)
      log.warn({ ...fields, reason }, 'mqtt connection refused')
      done(authError(message, returnCode), false)
    }
    if (!addressFailures.hasToken(address, now())) {
      count('address_rate_limited')
      log.debug({ reason: 'address_rate_limited' }, 'mqtt connection refused')
      return done(authError('too many refused connection attempts from this address; try later', SERVER_UNAVAILABLE), false)
    }
    // [MQTT-3.1.3-8]: a zero-byte client id needs a clean session
    if (request.clientId === '' && !request.clean) return refuse('client_id_empty_persistent', 'an empty client id needs a clean session', IDENTIFIER_REJECTED)
    // MQTT 3.1.1 has no return code for a refused keep-alive: 2 (identifier rejected), as for any
    // unacceptable CONNECT field; aedes's 6 is reserved [MQTT-3.2.2.3]
    if (!request.keepalive || request.keepalive > limits.maxKeepaliveSeconds) return refuse('keepalive_refused', 'keep-alive must be between 1 and the maximum', IDENTIFIER_REJECTED)
    if (!username || !password) return refuse('missing_credentials', 'username and password required', BAD_USERNAME_OR_PASSWORD)
    lookUp(username, password.toString('utf8')).then(
      (result) => {
        if (!result.ok) return refuse(result.reason, 'bad username or password', BAD_USERNAME_OR_PASSWORD)
        if (!clientIdBelongsTo(result.principal, request.clientId)) {
          return refuse('client_id_not_owned', 'client id must be the username, or the username, ":" and a suffix', IDENTIFIER_REJECTED, principalLogFields(result.principal))
        }
        if (!connectBuckets.tryTake(principalId(result.principal), now())) {
          count('connect_rate_limited')
          log.warn(principalLogFields(result.principal), 'mqtt connection attempts over the rate; refused')
          return done(authError('too many connection attempts; try later', SERVER_UNAVAILABLE), false)
        }
        // only the principal itself can hold its client ids; kept as a second wall
        const holder = deps.connectedClient(client.id)
        const holderPrincipal = holder ? principals.get(holder) : undefined
        if (holder && (!holderPrincipal || principalId(holderPrincipal) !== principalId(result.principal))) {
          count('client_id_in_use')
          log.warn(principalLogFields(result.principal), 'mqtt client id held by another device; refused')
          return done(authError('client id in use by another device', IDENTIFIER_REJECTED), false)
        }
        principals.set(client, result.principal)
        done(null, true)
      },
      (err: unknown) => {
        count('registry_unavailable')
        log.error({ err }, 'device registry unavailable during mqtt connect')
        done(authError('server unavailable', SERVER_UNAVAILABLE), false)
      },
    )
  }

  return {
    preConnect,
    authenticate,
    /** Remembers where a connection comes from, by the stream aedes will read (refusals are counted per address). */
    rememberAddress(stream: object, remoteAddress: string | undefined) {
      addresses.set(stream, addressKey(remoteAddress))
    },
  }
}
