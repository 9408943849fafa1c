/**
 * QoS 2 exactly once for inbound PUBLISH ([MQTT-4.3.3]): until the sender's PUBREL, a PUBLISH with
 * a packet id already received on that session is a re-send (DUP) and must not be stored again.
 *
 * Lookout stores a message in its authorizePublish hook, before the broker acknowledges it, so the
 * broker's own duplicate check (later, in its PUBLISH handler) comes too late. This keeps the mark
 * in the broker's session store (aedes persistence, `incoming` packets: the same store the broker
 * reads on PUBREL, deletes on PUBREL and wipes when a clean session starts), written once the
 * message is durably queued and before PUBREC, so the broker's handler sees a duplicate and only
 * answers PUBREC. Messages with the same client id and packet id are handled one after another, so
 * a re-send arriving while the first is still being queued waits for it, also on a new connection
 * of the same session.
 *
 * The session store is the broker's, in memory: exactly once holds for a session within one broker
 * process. After a restart no session survives and a re-sent QoS 2 message may be stored twice, as
 * QoS 1 can be (docs/decisions/0009-mqtt-client-ids-and-qos2.md).
 */

/** The part of the aedes persistence interface that holds inbound QoS 2 packets until PUBREL. */
export interface IncomingStore<C> {
  incomingStorePacket(client: C, packet: object): Promise<void>
  /** Rejects when no packet with this id is held. */
  incomingGetPacket(client: C, packet: { messageId: number }): Promise<unknown>
}

/** Inbound QoS 2 messages awaiting PUBREL, per connection, past which it is closed (aedes's own default). */
export const MAX_AWAITING_RELEASE = 1000

export function createExactlyOnce<C extends { id: string; closed: boolean }>(store: () => IncomingStore<C>, maxAwaitingRelease = MAX_AWAITING_RELEASE) {
  /** The last message handled per client id and packet id, while one is in hand. */
  const chains = new Map<string, Map<number, Promise<unknown>>>()
  const awaiting = new WeakMap<C, Set<number>>()

  const held = (client: C, messageId: number) =>
    store()
      .incomingGetPacket(client, { messageId })
      .then(
        () => true,
        () => false,
      )

  async function prune(client: C, ids: Set<number>) {
    for (const id of [...ids]) if (!(await held(client, id))) ids.delete(id)
  }

  return {
    /**
     * Runs `handle` (which stores the message and answers null, or an Error that closes the
     * connection) unless this packet id is already held for the client; then answers null without
     * running it: the broker sends PUBREC again.
     */
    /** Client ids with a message in hand (for tests: the map empties when they are done). */
    busy: () => chains.size,
    once(client: C, packet: { topic: string; messageId: number }, handle: () => Promise<Error | null>): Promise<Error | null> {
      const key = client.id
      let chain = chains.get(key)
      if (!chain) chains.set(key, (chain = new Map()))
      const id = packet.messageId
      const previous = chain.get(id) ?? Promise.resolve()
      const run = previous.then(async (): Promise<Error | null> => {
        if (await held(client, id)) return null
        let ids = awaiting.get(client)
        if (!ids) awaiting.set(client, (ids = new Set()))
        if (ids.size >= maxAwaitingRelease) await prune(client, ids)
        if (ids.size >= maxAwaitingRelease) return new Error(`over ${maxAwaitingRelease} QoS 2 messages awaiting PUBREL`)
        const result = await handle()
        if (result) return result
        // a connection taken over meanwhile never sends this PUBREC, and a clean session that took it
        // over has already wiped the store: a mark now would swallow that session's next message
        // with this id. Without the mark a re-send is stored again (a duplicate, never a loss).
        if (client.closed) return null
        // the mark only: the broker needs the id, never the payload
        await store().incomingStorePacket(client, { cmd: 'publish', topic: packet.topic, qos: 2, messageId: id, payload: Buffer.alloc(0), retain: false, dup: false })
        ids.add(id)
        return null
      })
      const settled = run.catch(() => undefined)
      chain.set(id, settled)
      void settled.then(() => {
        if (chain.get(id) === settled) chain.delete(id)
        if (chain.size === 0 && chains.get(key) === chain) chains.delete(key)
      })
      return run
    },
  }
}
