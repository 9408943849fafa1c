/**
 * The codec sandbox's worker thread: holds every loaded codec (its source, and its engine once
 * compiled) and answers requests strictly in order. It runs off the main thread so that a codec
 * busy up to its time limit, or stuck in engine code the interrupt cannot reach, delays decoding
 * but never the ingest process's event loop; the main thread's watchdog ends it if it stops answering.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { CodecEngine, compileEngineModule, type Outcome } from './codec-engine.ts'
import type { Reply, Request, WorkerMessage, WorkerSettings } from './protocol.ts'
import { checkUplinkOutput } from './uplink-checks.ts'

/** Answers go back at least this often while a long batch runs, so the watchdog sees progress. */
const FLUSH_MS = 5

const settings = workerData as WorkerSettings
const port = parentPort!
const codecs = new Map<string, { source: string; engine?: CodecEngine }>()
const batches: Request[][] = []
let pumping = false
let replies: Reply[] = []
let lastFlush = performance.now()

function post(message: WorkerMessage): void {
  port.postMessage(message)
}

function flush(): void {
  lastFlush = performance.now()
  if (replies.length === 0) return
  post({ kind: 'replies', replies })
  replies = []
}

async function createEngine(source: string): Promise<Outcome<CodecEngine>> {
  try {
    return await CodecEngine.create(source, settings)
  } catch (err) {
    return { ok: false, code: 'CODEC_FAILED', message: `the codec engine could not start: ${String(err).slice(0, 300)}` }
  }
}

async function handle(request: Request): Promise<Reply | undefined> {
  switch (request.kind) {
    case 'register':
      codecs.set(request.codecId, { source: request.source })
      return undefined
    case 'load': {
      const created = await createEngine(request.source)
      if (!created.ok) return { id: request.id, ...created }
      codecs.set(request.codecId, { source: request.source, engine: created.value })
      return { id: request.id, ok: true }
    }
    case 'decode': {
      const entry = codecs.get(request.codecId)
      if (entry === undefined) return { id: request.id, ok: false, code: 'CODEC_NOT_LOADED', message: 'no codec of this id is loaded' }
      if (entry.engine === undefined) {
        // first use after a restart, or after the engine ran out of memory: compile from source again
        const created = await createEngine(entry.source)
        if (!created.ok) return { id: request.id, ok: false, code: created.code, message: `setting the codec up again failed: ${created.message}` }
        entry.engine = created.value
      }
      const decoded = entry.engine.decode(request.input)
      if (entry.engine.broken) entry.engine = undefined
      if (!decoded.ok) return { id: request.id, ...decoded }
      const checked = checkUplinkOutput(decoded.value)
      if (!checked.ok) return { id: request.id, ok: false, code: 'CODEC_FAILED', message: `decodeUplink returned a bad result: ${checked.reason}` }
      return { id: request.id, ok: true, output: checked.value }
    }
  }
}

async function pump(): Promise<void> {
  pumping = true
  try {
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      for (const request of batch) {
        const reply = await handle(request)
        if (reply !== undefined) replies.push(reply)
        if (performance.now() - lastFlush >= FLUSH_MS) flush()
      }
    }
  } finally {
    flush()
    pumping = false
  }
}

await compileEngineModule()
port.on('message', (batch: Request[]) => {
  batches.push(batch)
  if (!pumping) void pump()
})
post({ kind: 'ready' })
