/** The sandbox for codecs supplied by tenant administrators (docs/decisions/0005-codec-sandbox.md). */
export { createCodecSandbox } from './sandbox.ts'
export type { CodecSandbox, CodecSandboxOptions, LoadResult, SandboxLog, SandboxStats } from './sandbox.ts'
