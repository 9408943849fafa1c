import { describe, expect, it } from 'vitest'
import { ACK, admit, NEXT, PUBLISH_STEPS, store, type Publish, type PublishDeps, type SyncStep, type Verdict } from './publish-steps.ts'

describe('publish steps', () => {
  it('run in the documented order', () => {
    expect(PUBLISH_STEPS.admit.map((step) => step.name)).toEqual(['requirePacketId', 'stampReceipt', 'routeTopic', 'keepFromSubscribers'])
    expect(PUBLISH_STEPS.store.map((step) => step.name)).toEqual(['throttlePublisher', 'decodePayload', 'acceptDurably', 'countAccepted'])
  })

  const publish = {} as Publish
  const deps = {} as PublishDeps
  const recording = (ran: string[], name: string, verdict: Verdict): SyncStep => () => (ran.push(name), verdict)

  it('stop at the first step that does not answer NEXT', async () => {
    const ran: string[] = []
    const closed = new Error('closed')
    expect(admit([recording(ran, 'a', NEXT), recording(ran, 'b', closed), recording(ran, 'c', NEXT)], publish, deps)).toBe(closed)
    expect(await store([recording(ran, 'd', NEXT), recording(ran, 'e', ACK), recording(ran, 'f', NEXT)], publish, deps)).toBeNull()
    expect(ran).toEqual(['a', 'b', 'd', 'e'])
  })

  it('acknowledge when every step answers NEXT, and close on an Error', async () => {
    const closed = new Error('closed')
    expect(await store([() => NEXT, async () => NEXT], publish, deps)).toBeNull()
    expect(await store([async () => closed], publish, deps)).toBe(closed)
  })
})
