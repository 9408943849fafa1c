import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSpoolGate } from './spool-gate.ts'

describe('spool gate', () => {
  afterEach(() => vi.useRealTimers())

  async function gateWith(depths: number[]) {
    vi.useFakeTimers()
    const events: string[] = []
    let i = 0
    const gate = createSpoolGate({
      capacity: 100,
      pollMs: 10,
      readDepth: async () => depths[Math.min(i++, depths.length - 1)]!,
      onFull: () => events.push('full'),
      onRoom: () => events.push('room'),
    })
    return { gate, events, poll: () => vi.advanceTimersByTimeAsync(10) }
  }

  it('lets everything through below capacity', async () => {
    const { gate, events, poll } = await gateWith([50])
    await poll()
    let passed = false
    await gate.waitForRoom().then(() => (passed = true))
    expect(passed).toBe(true)
    expect(events).toEqual([])
    gate.close()
  })

  it('holds callers from capacity until the depth drops below 90 % of it, reporting each edge once', async () => {
    // the first poll runs at once, then one every 10 ms
    const { gate, events, poll } = await gateWith([100, 120, 95, 89])
    await poll()
    expect(gate.isFull()).toBe(true)
    expect(gate.depth()).toBe(120)
    let passed = false
    void gate.waitForRoom().then(() => (passed = true))
    await poll()
    expect(gate.depth()).toBe(95)
    expect(passed).toBe(false)
    await poll()
    expect(passed).toBe(true)
    expect(events).toEqual(['full', 'room'])
    gate.close()
  })

  it('keeps the last depth when Redis cannot be read, and releases waiters on close', async () => {
    vi.useFakeTimers()
    let fail = false
    const errors: unknown[] = []
    const gate = createSpoolGate({
      capacity: 10,
      pollMs: 10,
      readDepth: async () => {
        if (fail) throw new Error('down')
        return 10
      },
      onError: (e) => errors.push(e),
    })
    await vi.advanceTimersByTimeAsync(10)
    fail = true
    await vi.advanceTimersByTimeAsync(10)
    expect(gate.isFull()).toBe(true)
    expect(errors).toHaveLength(1)
    let passed = false
    void gate.waitForRoom().then(() => (passed = true))
    gate.close()
    await Promise.resolve()
    expect(passed).toBe(true)
  })
})
