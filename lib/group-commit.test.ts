import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { createGroupCommit } from './group-commit.ts'

interface WriteCall<T> {
  items: T[]
  resolve: () => void
  reject: (err: unknown) => void
}

/** A write whose every call stays in flight until the test settles it. */
function controlledWrite<T>() {
  const calls: WriteCall<T>[] = []
  const write = (items: T[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ items: [...items], resolve, reject })
    })
  return { calls, write }
}

type State = { status: 'pending' } | { status: 'resolved' } | { status: 'rejected'; error: unknown }
/** Records how a promise settled, so a test can look without awaiting it. */
function track(promise: Promise<void>): { current: State } {
  const box: { current: State } = { current: { status: 'pending' } }
  promise.then(
    () => (box.current = { status: 'resolved' }),
    (error: unknown) => (box.current = { status: 'rejected', error }),
  )
  return box
}

/** Lets queued promise callbacks run without moving the (fake) clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('createGroupCommit', () => {
  const sizeCases = [
    { name: 'writes one item at once when maxItems is 1', maxItems: 1 },
    { name: 'writes exactly two items in one write when maxItems is 2', maxItems: 2 },
    { name: 'writes exactly five items in one write when maxItems is 5', maxItems: 5 },
  ]
  it.each(sizeCases)('$name', async ({ maxItems }) => {
    const { calls, write } = controlledWrite<number>()
    const commit = createGroupCommit({ maxItems, flushMs: 1000, write })
    for (let i = 0; i < maxItems - 1; i++) void commit.add(i)
    await settle()
    expect(calls).toHaveLength(0)
    void commit.add(maxItems - 1)
    await settle()
    expect(calls.map((c) => c.items)).toEqual([Array.from({ length: maxItems }, (_, i) => i)])
  })

  it('writes a partial batch flushMs after its first item, not before', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 10, flushMs: 5, write })
    void commit.add('a')
    await vi.advanceTimersByTimeAsync(3)
    void commit.add('b')
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls.map((c) => c.items)).toEqual([['a', 'b']])
  })

  it('does not write a full batch a second time when the flush timer would have fired', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 2, flushMs: 5, write })
    void commit.add('a')
    void commit.add('b')
    await vi.advanceTimersByTimeAsync(50)
    expect(calls.map((c) => c.items)).toEqual([['a', 'b']])
  })

  it('starts a fresh batch and timer after a write', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 2, flushMs: 5, write })
    void commit.add('a')
    void commit.add('b')
    void commit.add('c')
    await vi.advanceTimersByTimeAsync(5)
    expect(calls.map((c) => c.items)).toEqual([['a', 'b'], ['c']])
  })

  it('resolves every add of a batch only after its write resolves', async () => {
    const { calls, write } = controlledWrite<number>()
    const commit = createGroupCommit({ maxItems: 3, flushMs: 1000, write })
    const log: string[] = []
    const adds = [0, 1, 2].map((i) => commit.add(i).then(() => log.push(`add ${i}`)))
    await settle()
    expect(calls).toHaveLength(1)
    expect(log).toEqual([])
    log.push('write done')
    calls[0]!.resolve()
    await Promise.all(adds)
    expect(log).toEqual(['write done', 'add 0', 'add 1', 'add 2'])
  })

  it('rejects every add of a failed batch with the write error, and not the adds of the next batch', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 2, flushMs: 1000, write })
    const first = [track(commit.add('a')), track(commit.add('b'))]
    const second = [track(commit.add('c')), track(commit.add('d'))]
    await settle()
    expect(calls.map((c) => c.items)).toEqual([['a', 'b'], ['c', 'd']])
    const failure = new Error('influx down')
    calls[0]!.reject(failure)
    calls[1]!.resolve()
    await settle()
    expect(first.map((s) => s.current)).toEqual([
      { status: 'rejected', error: failure },
      { status: 'rejected', error: failure },
    ])
    expect(second.map((s) => s.current)).toEqual([{ status: 'resolved' }, { status: 'resolved' }])
  })

  it('flush() writes pending items at once and resolves only when that write does', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 10, flushMs: 1000, write })
    const add = track(commit.add('a'))
    const flushed = track(commit.flush())
    await settle()
    expect(calls.map((c) => c.items)).toEqual([['a']])
    expect([add.current.status, flushed.current.status]).toEqual(['pending', 'pending'])
    calls[0]!.resolve()
    await settle()
    expect([add.current.status, flushed.current.status]).toEqual(['resolved', 'resolved'])
    await vi.advanceTimersByTimeAsync(2000)
    expect(calls).toHaveLength(1)
  })

  it('flush() with nothing pending still waits for a write in flight', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 1, flushMs: 1000, write })
    void commit.add('a')
    await settle()
    const flushed = track(commit.flush())
    await settle()
    expect(calls).toHaveLength(1)
    expect(flushed.current.status).toBe('pending')
    calls[0]!.resolve()
    await settle()
    expect(flushed.current.status).toBe('resolved')
  })

  it('flush() with nothing pending or in flight resolves without writing', async () => {
    const { calls, write } = controlledWrite<string>()
    const commit = createGroupCommit({ maxItems: 10, flushMs: 5, write })
    await commit.flush()
    expect(calls).toHaveLength(0)
  })
  it('rejects every add of a batch whose write throws synchronously', async () => {
    const commit = createGroupCommit<number>({
      maxItems: 2,
      flushMs: 1000,
      write: () => {
        throw new Error('sync failure')
      },
    })
    const results = await Promise.allSettled([commit.add(1), commit.add(2)])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
  })
})

describe('weighted items', () => {
  it('writes when the summed weight reaches maxItems, not the item count', async () => {
    const writes: number[][] = []
    const commit = createGroupCommit<number>({ maxItems: 10, flushMs: 10_000, weight: (n) => n, write: async (items) => void writes.push(items) })
    const first = commit.add(4)
    const second = commit.add(5)
    await Promise.resolve()
    expect(writes).toEqual([])
    await Promise.all([first, second, commit.add(1)])
    expect(writes).toEqual([[4, 5, 1]])
  })
})
