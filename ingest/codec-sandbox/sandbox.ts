/**
 * Runs LoRaWAN payload codecs supplied by tenant administrators (The Things Network's
 * `decodeUplink` format) so that no codec can stall or crash the ingest process: each codec runs
 * in its own QuickJS engine with its own memory limit and a per-call time limit, all inside one
 * worker thread; a watchdog here restarts the worker if it stops answering.
 * See docs/decisions/0005-codec-sandbox.md.
 */
import { Worker } from 'node:worker_threads'
import { LookoutError, type ErrorCode } from '../../lib/errors.ts'
import type { UplinkInput, UplinkOutput } from '../codecs/types.ts'
import { MIN_MEMORY_MB, type Reply, type Request, type WorkerMessage, type WorkerSettings } from './protocol.ts'
import { checkUplinkInput } from './uplink-checks.ts'

export interface CodecSandboxOptions {
  /** Time limit of one call into a codec (its top-level code at load, decodeUplink at decode). Default 50. */
  timeoutMs?: number
  /** Memory limit of each codec, in MiB: the maximum of its engine's WebAssembly memory. Default 64, at least 16. */
  memoryMb?: number
  /** Largest codec source accepted by `load`. Default 256 KiB. */
  maxSourceBytes?: number
  /** Largest decodeUplink result, as JSON. Default 64 KiB. */
  maxResultBytes?: number
  log?: SandboxLog
}

/** What the sandbox logs (worker restarts); a pino logger fits. */
export interface SandboxLog {
  warn(details: object, message: string): void
}

export type LoadResult = { ok: true } | { ok: false; reason: string }

export interface SandboxStats {
  /** Codecs loaded and kept across worker restarts. */
  loaded: number
  /** Calls sent to the worker and not yet answered. */
  inFlight: number
  /** Times the worker was replaced because it stopped answering or died. */
  restarts: number
}

export interface CodecSandbox {
  /**
   * Compiles a codec and runs its top-level code; a codec's own faults (too big, syntax error,
   * no decodeUplink, throws, time or memory limit) resolve `{ ok: false, reason }`, and the codec
   * previously loaded under this id, if any, stays. Rejects only if the sandbox is closed or restarted meanwhile.
   */
  load(codecId: string, source: string): Promise<LoadResult>
  /**
   * Runs the codec's decodeUplink. Resolves the checked result, which may carry the codec's own
   * `errors`; rejects with CODEC_TIMEOUT, CODEC_FAILED, CODEC_MEMORY, CODEC_NOT_LOADED,
   * CODEC_INPUT_INVALID, CODEC_SANDBOX_RESTARTED (retryable) or CODEC_SANDBOX_CLOSED.
   */
  decode(codecId: string, input: UplinkInput): Promise<UplinkOutput>
  stats(): SandboxStats
  close(): Promise<void>
}

const DEFAULTS = { timeoutMs: 50, memoryMb: 64, maxSourceBytes: 256 * 1024, maxResultBytes: 64 * 1024 }
/** Stops the JSON copy of a giant result early, before it costs time and memory. */
const MAX_RESULT_VALUES = 20_000
/** The worker compiles QuickJS before it says it is ready; it has this long. */
const STARTUP_MS = 30_000
/** The worker's own V8 heap holds only sources and messages; codecs' memory is WebAssembly memory, outside it. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 }

/** A plain-JS entry that registers tsx, since a Node 20 worker gets no TypeScript support from its parent. */
const WORKER_URL = new URL('./sandbox-worker-entry.mjs', import.meta.url)

interface Pending {
  request: Exclude<Request, { kind: 'register' }>
  resolve(value: LoadResult | UplinkOutput): void
  reject(error: Error): void
}

interface Generation {
  worker: Worker
  ready: boolean
  retired: boolean
  pending: Map<number, Pending>
  outbox: Request[]
  /** When the worker last answered, or became busy after being idle. */
  lastProgress: number
  watchdog: NodeJS.Timeout
  startup: NodeJS.Timeout
}

type RetireCause = { kind: 'hang' } | { kind: 'crash'; error: unknown } | { kind: 'startup'; error: unknown } | { kind: 'close' }

function positiveInteger(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new LookoutError('CONFIG_INVALID', `codec sandbox: ${name} must be an integer of at least ${min}, got ${value}`)
  return value
}

export function createCodecSandbox(options: CodecSandboxOptions = {}): CodecSandbox {
  const settings: WorkerSettings = {
    timeoutMs: positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs),
    memoryMb: positiveInteger('memoryMb', options.memoryMb ?? DEFAULTS.memoryMb, MIN_MEMORY_MB),
    maxResultBytes: positiveInteger('maxResultBytes', options.maxResultBytes ?? DEFAULTS.maxResultBytes),
    maxResultValues: MAX_RESULT_VALUES,
  }
  const maxSourceBytes = positiveInteger('maxSourceBytes', options.maxSourceBytes ?? DEFAULTS.maxSourceBytes)
  const watchdogMs = Math.max(10 * settings.timeoutMs, 1000)
  const log = options.log

  /** Every codec loaded successfully, sent again to each new worker. */
  const sources = new Map<string, string>()
  /** Codecs that hung the worker, with why: they are not given to the next one until loaded again. */
  const unloaded = new Map<string, string>()
  let generation: Generation | undefined
  let nextId = 1
  let restarts = 0
  let closed = false

  function start(): Generation {
    const worker = new Worker(WORKER_URL, { workerData: settings, execArgv: [], resourceLimits: WORKER_LIMITS })
    const gen: Generation = {
      worker,
      ready: false,
      retired: false,
      pending: new Map(),
      outbox: [],
      lastProgress: Date.now(),
      watchdog: setInterval(() => checkProgress(gen), watchdogMs / 4).unref(),
      startup: setTimeout(() => retire(gen, { kind: 'startup', error: new Error(`not ready within ${STARTUP_MS} ms`) }), STARTUP_MS).unref(),
    }
    worker.on('message', (message: WorkerMessage) => {
      if (gen.retired) return
      gen.lastProgress = Date.now()
      if (message.kind === 'ready') {
        gen.ready = true
        clearTimeout(gen.startup)
      } else {
        for (const reply of message.replies) settle(gen, reply)
      }
    })
    worker.on('error', (error) => retire(gen, gen.ready ? { kind: 'crash', error } : { kind: 'startup', error }))
    worker.on('exit', (exitCode) => retire(gen, { kind: 'crash', error: new Error(`the worker exited with code ${exitCode}`) }))
    for (const [codecId, source] of sources) gen.outbox.push({ kind: 'register', codecId, source })
    if (gen.outbox.length > 0) queueMicrotask(() => flush(gen))
    return gen
  }

  function flush(gen: Generation): void {
    if (gen.retired || gen.outbox.length === 0) return
    const batch = gen.outbox
    gen.outbox = []
    gen.worker.postMessage(batch)
  }

  function send(request: Pending['request'], resolve: Pending['resolve'], reject: Pending['reject']): void {
    generation ??= start()
    const gen = generation
    if (gen.pending.size === 0) gen.lastProgress = Date.now()
    gen.pending.set(request.id, { request, resolve, reject })
    if (gen.outbox.push(request) === 1) queueMicrotask(() => flush(gen))
  }

  function settle(gen: Generation, reply: Reply): void {
    const pending = gen.pending.get(reply.id)
    if (pending === undefined) return
    gen.pending.delete(reply.id)
    const { request } = pending
    if (request.kind === 'load') {
      if (reply.ok) {
        sources.set(request.codecId, request.source)
        unloaded.delete(request.codecId)
      }
      pending.resolve(reply.ok ? { ok: true } : { ok: false, reason: reply.message })
    } else if (reply.ok) {
      pending.resolve(reply.output!)
    } else {
      pending.reject(new LookoutError(reply.code, `codec "${request.codecId}": ${reply.message}`))
    }
  }

  /** The worker answers in order, so when it has said nothing for watchdogMs the oldest unanswered call is the one stuck. */
  function checkProgress(gen: Generation): void {
    if (gen.ready && gen.pending.size > 0 && Date.now() - gen.lastProgress > watchdogMs) retire(gen, { kind: 'hang' })
  }

  function retire(gen: Generation, cause: RetireCause): void {
    if (gen.retired) return
    gen.retired = true
    clearInterval(gen.watchdog)
    clearTimeout(gen.startup)
    if (generation === gen) generation = undefined
    void gen.worker.terminate()
    const calls = [...gen.pending.values()]
    gen.pending.clear()
    if (cause.kind === 'close') {
      for (const call of calls) call.reject(new LookoutError('CODEC_SANDBOX_CLOSED', 'the codec sandbox is closed'))
      return
    }
    restarts += 1
    const head = calls.shift()
    const outOfMemory = cause.kind === 'crash' && (cause.error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
    if (head !== undefined && (cause.kind === 'hang' || outOfMemory)) {
      const { codecId, kind } = head.request
      const why = cause.kind === 'hang' ? `did not answer within ${watchdogMs} ms` : 'ran the sandbox worker out of memory'
      log?.warn({ codecId, call: kind, watchdogMs }, `codec sandbox: a codec ${why}; restarting the worker`)
      if (kind === 'load') {
        head.resolve({ ok: false, reason: `top-level code ${why}` })
      } else {
        sources.delete(codecId)
        unloaded.set(codecId, `it ${why} and was unloaded; load it again`)
        const code: ErrorCode = cause.kind === 'hang' ? 'CODEC_TIMEOUT' : 'CODEC_MEMORY'
        head.reject(new LookoutError(code, `codec "${codecId}": decodeUplink ${why}; the codec was unloaded`))
      }
    } else if (head !== undefined) {
      calls.unshift(head)
    }
    if (cause.kind !== 'hang' && !outOfMemory) log?.warn({ err: cause.error, cause: cause.kind }, 'codec sandbox: the worker failed; restarting it')
    const error = cause.kind === 'startup' ? `the codec sandbox worker could not start: ${String(cause.error)}` : 'the codec sandbox worker was restarted while this call waited'
    for (const call of calls) call.reject(new LookoutError('CODEC_SANDBOX_RESTARTED', error))
    // a worker that never got ready is not restarted here (no crash loop); the next call tries again
    if (cause.kind !== 'startup' && !closed && sources.size > 0) generation ??= start()
  }

  return {
    load(codecId, source) {
      if (closed) return Promise.reject(new LookoutError('CODEC_SANDBOX_CLOSED', 'the codec sandbox is closed'))
      if (typeof codecId !== 'string' || codecId === '') return Promise.resolve({ ok: false, reason: 'the codec id must be a non-empty string' })
      if (typeof source !== 'string') return Promise.resolve({ ok: false, reason: 'the source must be a string' })
      const size = Buffer.byteLength(source)
      if (size > maxSourceBytes) return Promise.resolve({ ok: false, reason: `the source is ${size} bytes, over the limit of ${maxSourceBytes}` })
      return new Promise((resolve, reject) =>
        send({ kind: 'load', id: nextId++, codecId, source }, resolve as Pending['resolve'], reject),
      )
    },

    decode(codecId, input) {
      if (closed) return Promise.reject(new LookoutError('CODEC_SANDBOX_CLOSED', 'the codec sandbox is closed'))
      const checked = checkUplinkInput(input)
      if (!checked.ok) return Promise.reject(new LookoutError('CODEC_INPUT_INVALID', `codec "${codecId}": ${checked.reason}`))
      const why = unloaded.get(codecId)
      if (why !== undefined) return Promise.reject(new LookoutError('CODEC_NOT_LOADED', `codec "${codecId}": ${why}`))
      return new Promise((resolve, reject) =>
        send({ kind: 'decode', id: nextId++, codecId, input: checked.value }, resolve as Pending['resolve'], reject),
      )
    },

    stats() {
      return { loaded: sources.size, inFlight: generation?.pending.size ?? 0, restarts }
    },

    async close() {
      if (closed) return
      closed = true
      const gen = generation
      if (gen === undefined) return
      retire(gen, { kind: 'close' })
      await gen.worker.terminate()
    },
  }
}
