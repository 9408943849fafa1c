/**
 * What reaches a client: aedes's authorizeSubscribe and authorizeForward hooks. A principal may
 * subscribe to its own errors topic only (else SUBACK 0x80), and a message reaches a client only
 * inside that client's own namespace; device data never reaches a subscriber (it leaves the broker
 * through the queues only).
 */
import type { AedesOptions, Client } from 'aedes'
import type { Principal } from './principals.ts'
import { ownErrorsTopic } from './topics.ts'

export function createDeliveryRights(principals: WeakMap<Client, Principal>, neverForward: WeakSet<object>) {
  const authorizeSubscribe: NonNullable<AedesOptions['authorizeSubscribe']> = (client, subscription, done) => {
    const principal = principals.get(client)
    if (principal && subscription.topic === ownErrorsTopic(principal)) return done(null, subscription)
    done(null, null)
  }
  const authorizeForward: NonNullable<AedesOptions['authorizeForward']> = (client, packet) => {
    const principal = principals.get(client)
    if (!principal || neverForward.has(packet) || packet.topic !== ownErrorsTopic(principal)) return null
    return packet
  }
  return { authorizeSubscribe, authorizeForward }
}
