/**
 * One user codec in its own QuickJS engine (an interpreter compiled to WebAssembly), inside the
 * sandbox worker. Each codec gets its own WebAssembly instance and memory, whose `maximum` is the
 * codec's memory limit: an allocation past it fails inside the engine, whatever allocates
 * (objects, strings, ArrayBuffers), and nothing a codec does can reach memory outside its own.
 * Time is bounded by QuickJS's interrupt handler, which the interpreter polls while it runs.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import releaseSyncVariant from '@jitl/quickjs-wasmfile-release-sync'
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
} from 'quickjs-emscripten-core'
import type { UplinkInput } from '../codecs/types.ts'
import { PRELUDE_SOURCE } from './prelude.ts'
import { MIN_MEMORY_MB, type FailureCode, type WorkerSettings } from './protocol.ts'

const WASM_PAGE_BYTES = 64 * 1024
/** Reserved, and only touched as used. */
const INITIAL_PAGES = MIN_MEMORY_MB * 2 ** 20 / WASM_PAGE_BYTES
/** Well inside the worker's 4 MiB thread stack, so QuickJS's own check fires before the host's. */
const MAX_STACK_BYTES = 256 * 1024
/** Extra time to turn a thrown value into a message (its getters are codec code). */
const DESCRIBE_MS = 10
/** A file name for stack traces; the codec id may hold any characters. */
const FILE_NAME = 'codec.js'

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: FailureCode; message: string }

/** The few WebAssembly globals used here; the project's `lib` (ES2023, no DOM) does not declare them. */
interface WasmMemory {
  readonly buffer: ArrayBuffer
}
type WasmModule = object
const wasm = (globalThis as unknown as {
  WebAssembly: { Memory: new (limits: { initial: number; maximum: number }) => WasmMemory; compile(bytes: Uint8Array): Promise<WasmModule> }
}).WebAssembly

/** `default` is the variant at run time (ESM); the package's CommonJS typings wrap it once more. */
const variant = ((releaseSyncVariant as { default?: QuickJSSyncVariant }).default ?? releaseSyncVariant) as QuickJSSyncVariant

let compiled: Promise<WasmModule> | undefined

/** The QuickJS WebAssembly module, compiled once per worker and instantiated once per codec. */
export function compileEngineModule(): Promise<WasmModule> {
  compiled ??= readFile(createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm')).then((bytes) =>
    wasm.compile(bytes),
  )
  return compiled
}

export class CodecEngine {
  /** True once the engine may be in a bad state (out of memory, a host-side fault): the worker drops it. */
  broken = false
  private deadline = 0

  private constructor(
    private readonly settings: WorkerSettings,
    private readonly memory: WasmMemory,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly helpers: { call: QuickJSHandle; describe: QuickJSHandle; maxChars: QuickJSHandle; maxValues: QuickJSHandle },
    private decodeUplink: QuickJSHandle | undefined,
  ) {
    runtime.setMaxStackSize(MAX_STACK_BYTES)
    runtime.setInterruptHandler(() => Date.now() > this.deadline)
  }

  /** Instantiates an engine, runs the prelude, then the codec's top-level code under the time limit. */
  static async create(source: string, settings: WorkerSettings): Promise<Outcome<CodecEngine>> {
    const memory = new wasm.Memory({ initial: INITIAL_PAGES, maximum: settings.memoryMb * 2 ** 20 / WASM_PAGE_BYTES })
    const wasmModule = await compileEngineModule()
    const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule, wasmMemory: memory }))
    const runtime = quickjs.newRuntime()
    const context = runtime.newContext()
    const prelude = context.unwrapResult(context.evalCode(PRELUDE_SOURCE, 'prelude.js'))
    const helpers = {
      call: context.getProp(prelude, 'call'),
      describe: context.getProp(prelude, 'describe'),
      maxChars: context.newNumber(settings.maxResultBytes),
      maxValues: context.newNumber(settings.maxResultValues),
    }
    prelude.dispose()
    const engine = new CodecEngine(settings, memory, runtime, context, helpers, undefined)
    const loaded = engine.runTopLevel(source)
    return loaded.ok ? { ok: true, value: engine } : loaded
  }

  private runTopLevel(source: string): Outcome<undefined> {
    return this.guard('top-level code', () => {
      this.deadline = Date.now() + this.settings.timeoutMs
      const result = this.context.evalCode(source, FILE_NAME)
      if (result.error) return this.failure('top-level code', result.error)
      result.value.dispose()
      const drained = this.drainJobs('top-level code')
      if (!drained.ok) return drained
      // `typeof` in global scope also finds `const decodeUplink = ...`, which is no property of globalThis
      this.deadline = Date.now() + this.settings.timeoutMs
      const lookup = this.context.evalCode('typeof decodeUplink === "function" ? decodeUplink : undefined', 'lookup.js')
      if (lookup.error) return this.failure('looking up decodeUplink', lookup.error)
      if (this.context.typeof(lookup.value) !== 'function') {
        lookup.value.dispose()
        return { ok: false, code: 'CODEC_FAILED', message: 'the source does not define a function decodeUplink(input)' }
      }
      this.decodeUplink = lookup.value
      return { ok: true, value: undefined }
    })
  }

  /** Runs decodeUplink; the value is the parsed JSON of its result, not yet checked against the contract. */
  decode(input: UplinkInput): Outcome<unknown> {
    return this.guard('decodeUplink', () => {
      if (this.decodeUplink === undefined) return { ok: false, code: 'CODEC_NOT_LOADED', message: 'the codec has no decodeUplink' }
      const inputJson = this.context.newString(JSON.stringify({ bytes: input.bytes, fPort: input.fPort }))
      this.deadline = Date.now() + this.settings.timeoutMs
      const { call, maxChars, maxValues } = this.helpers
      const result = this.context.callFunction(call, this.context.undefined, this.decodeUplink, inputJson, maxChars, maxValues)
      inputJson.dispose()
      if (result.error) return this.failure('decodeUplink', result.error)
      const drained = this.drainJobs('decodeUplink')
      if (!drained.ok) {
        result.value.dispose()
        return drained
      }
      const text = this.readString(result.value, this.settings.maxResultBytes + 3)
      result.value.dispose()
      if (text === undefined) return { ok: false, code: 'CODEC_FAILED', message: 'decodeUplink returned a bad result' }
      if (text.startsWith('bad:')) return { ok: false, code: 'CODEC_FAILED', message: `decodeUplink returned a bad result: ${text.slice(4)}` }
      const json = text.slice(3)
      if (Buffer.byteLength(json) > this.settings.maxResultBytes) {
        return { ok: false, code: 'CODEC_FAILED', message: `decodeUplink returned a bad result: over ${this.settings.maxResultBytes} bytes of JSON` }
      }
      return { ok: true, value: JSON.parse(json) as unknown }
    })
  }

  /** Promise callbacks a codec queued run now, under the same deadline, so they cannot pile up. */
  private drainJobs(what: string): Outcome<undefined> {
    const jobs = this.runtime.executePendingJobs()
    if (jobs.error) {
      jobs.error.dispose()
      if (Date.now() > this.deadline) return { ok: false, code: 'CODEC_TIMEOUT', message: `${what} did not finish within ${this.settings.timeoutMs} ms` }
    }
    return { ok: true, value: undefined }
  }

  /** Host-side faults (a trap in the engine, its stack) leave the engine unusable; they are failures of this codec only. */
  private guard<T>(what: string, run: () => Outcome<T>): Outcome<T> {
    try {
      return run()
    } catch (err) {
      this.broken = true
      if (this.memoryExhausted()) return this.outOfMemory(what)
      return { ok: false, code: 'CODEC_FAILED', message: `${what} broke the codec engine: ${String(err).slice(0, 300)}` }
    }
  }

  /** Memory first: a codec that runs out of memory often also runs out of time before the error reaches us. */
  private failure(what: string, error: QuickJSHandle): Outcome<never> {
    const timedOut = Date.now() > this.deadline
    const description = this.describe(error)
    error.dispose()
    if (description?.startsWith('InternalError: out of memory') || (description === undefined && this.memoryExhausted())) {
      this.broken = true
      return this.outOfMemory(what)
    }
    if (timedOut) return { ok: false, code: 'CODEC_TIMEOUT', message: `${what} did not finish within ${this.settings.timeoutMs} ms` }
    return { ok: false, code: 'CODEC_FAILED', message: `${what} threw ${description ?? 'a value that cannot be described'}` }
  }

  private outOfMemory(what: string): Outcome<never> {
    return { ok: false, code: 'CODEC_MEMORY', message: `${what} ran out of memory (the limit is ${this.settings.memoryMb} MiB)` }
  }

  private memoryExhausted(): boolean {
    return this.memory.buffer.byteLength + WASM_PAGE_BYTES > this.settings.memoryMb * 2 ** 20
  }

  /** A thrown value as text, or undefined when the engine cannot even do that (it is out of memory). */
  private describe(value: QuickJSHandle): string | undefined {
    this.deadline = Date.now() + DESCRIBE_MS
    const result = this.context.callFunction(this.helpers.describe, this.context.undefined, value)
    if (result.error) {
      result.error.dispose()
      return undefined
    }
    const text = this.readString(result.value, 1000)
    result.value.dispose()
    return text
  }

  /** Copies a string out only if it is one and not longer than `maxChars`: the host never holds a codec's giant string. */
  private readString(handle: QuickJSHandle, maxChars: number): string | undefined {
    if (this.context.typeof(handle) !== 'string') return undefined
    const length = this.context.getProp(handle, 'length')
    const n = this.context.getNumber(length)
    length.dispose()
    return n <= maxChars ? this.context.getString(handle) : undefined
  }
}
