/**
 * Messages between the sandbox (main thread) and its worker. Both sides send arrays, so calls made
 * in one tick cross in one message; the worker answers in request order, which is what lets the
 * watchdog blame the oldest unanswered call when the worker stops answering.
 */
import type { UplinkInput, UplinkOutput } from '../codecs/types.ts'

/** The QuickJS build declares a 16 MiB minimum memory, so no codec's limit can be lower. */
export const MIN_MEMORY_MB = 16

export interface WorkerSettings {
  timeoutMs: number
  memoryMb: number
  maxResultBytes: number
  maxResultValues: number
}

export type Request =
  | { kind: 'load'; id: number; codecId: string; source: string }
  | { kind: 'decode'; id: number; codecId: string; input: UplinkInput }
  /** Makes a codec known again after a restart; it is compiled on its first decode. No answer. */
  | { kind: 'register'; codecId: string; source: string }

export type FailureCode = 'CODEC_TIMEOUT' | 'CODEC_FAILED' | 'CODEC_MEMORY' | 'CODEC_NOT_LOADED'

export type Reply =
  | { id: number; ok: true; output?: UplinkOutput }
  | { id: number; ok: false; code: FailureCode; message: string }

export type WorkerMessage = { kind: 'ready' } | { kind: 'replies'; replies: Reply[] }
