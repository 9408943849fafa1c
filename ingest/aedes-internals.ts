/**
 * Typed views of two aedes fields its type declarations leave out: the connected clients by client
 * id, and the session store (persistence). One place, so an aedes upgrade that moves them breaks here.
 */
import type { Aedes, Client } from 'aedes'
import type { IncomingStore } from './exactly-once.ts'

/** The client currently connected with this client id, if any. */
export function connectedClient(aedes: Aedes, clientId: string): Client | undefined {
  return (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[clientId]
}

/** The broker's session store, which holds inbound QoS 2 packets until PUBREL. */
export function incomingStore(aedes: Aedes): IncomingStore<Client> {
  return (aedes as unknown as { persistence: IncomingStore<Client> }).persistence
}
