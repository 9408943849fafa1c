import { describe, expect, it } from 'vitest'
import { createExactlyOnce, type IncomingStore } from './exactly-once.ts'

interface Client {
  id: string
  closed: boolean
}
const client_ = (id: string): Client => ({ id, closed: false })

/** The session store's contract, as aedes-persistence keeps it: per client id and packet id. */
function memoryStore() {
  const held = new Map<string, object>()
  const key = (c: Client, id: number) => `${c.id}|${id}`
  const store: IncomingStore<Client> = {
    async incomingStorePacket(c, p) {
      held.set(key(c, (p as { messageId: number }).messageId), p)
    },
    async incomingGetPacket(c, p) {
      const found = held.get(key(c, p.messageId))
      if (!found) throw new Error('no such packet')
      return found
    },
  }
  return { store, release: (c: Client, id: number) => held.delete(key(c, id)) }
}

const packet = (messageId: number) => ({ topic: 'devices/d1/events', messageId })

describe('exactly once', () => {
  it('handles a re-send arriving while the first is still being stored only once', async () => {
    const { store } = memoryStore()
    const once = createExactlyOnce(() => store)
    const client = client_('d1')
    let handled = 0
    let finish!: () => void
    const slow = () => new Promise<Error | null>((resolve) => (finish = () => resolve(null))).then((r) => (handled++, r))
    const first = once.once(client, packet(7), slow)
    const resend = once.once(client, packet(7), async () => (handled++, null))
    await new Promise((r) => setTimeout(r, 5))
    finish()
    expect(await Promise.all([first, resend])).toEqual([null, null])
    expect(handled).toBe(1)
    expect(once.busy()).toBe(0)
  })

  it('makes a re-send on a new connection of the same session wait for the first', async () => {
    const { store } = memoryStore()
    const once = createExactlyOnce(() => store)
    let handled = 0
    let finish!: () => void
    const first = once.once(client_('d1'), packet(7), () => new Promise<Error | null>((resolve) => (finish = () => resolve(null))).then((r) => (handled++, r)))
    const resend = once.once(client_('d1'), packet(7), async () => (handled++, null))
    await new Promise((r) => setTimeout(r, 5))
    finish()
    await Promise.all([first, resend])
    expect(handled).toBe(1)
  })

  const cases: { name: string; steps: ('send' | 'release' | 'fail-send')[]; handled: number }[] = [
    { name: 'a re-send after the first was stored is not handled', steps: ['send', 'send', 'send'], handled: 1 },
    { name: 'the same id after PUBREL is a new message', steps: ['send', 'release', 'send'], handled: 2 },
    { name: 'a message that failed to store is handled again when re-sent', steps: ['fail-send', 'send', 'send'], handled: 2 },
  ]
  it.each(cases)('$name', async ({ steps, handled }) => {
    const { store, release } = memoryStore()
    const once = createExactlyOnce(() => store)
    const client = client_('d1')
    let count = 0
    for (const step of steps) {
      if (step === 'release') release(client, 7)
      else await once.once(client, packet(7), async () => (count++, step === 'fail-send' ? new Error('queue down') : null))
    }
    expect(count).toBe(handled)
  })

  it('leaves no mark for a connection closed (taken over) while its message was stored, so a clean session that took over loses nothing', async () => {
    const { store } = memoryStore()
    const once = createExactlyOnce(() => store)
    const old = client_('d1')
    let count = 0
    await once.once(old, packet(7), async () => {
      old.closed = true
      return count++, null
    })
    await once.once(client_('d1'), packet(7), async () => (count++, null))
    expect(count).toBe(2)
  })

  it('keeps clients apart', async () => {
    const { store } = memoryStore()
    const once = createExactlyOnce(() => store)
    let count = 0
    await once.once(client_('d1'), packet(7), async () => (count++, null))
    await once.once(client_('d2'), packet(7), async () => (count++, null))
    expect(count).toBe(2)
  })

  it('refuses a message past the bound of messages awaiting PUBREL, counting released ones out', async () => {
    const { store, release } = memoryStore()
    const once = createExactlyOnce(() => store, 2)
    const client = client_('d1')
    const ok = async () => null
    expect(await once.once(client, packet(1), ok)).toBeNull()
    expect(await once.once(client, packet(2), ok)).toBeNull()
    expect(await once.once(client, packet(3), ok)).toBeInstanceOf(Error)
    release(client, 1)
    expect(await once.once(client, packet(3), ok)).toBeNull()
  })
})
