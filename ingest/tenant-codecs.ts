/**
 * Runs tenants' own codecs (stored with `lookout codec add`) in the codec sandbox. A codec is
 * loaded into the sandbox on first use and again whenever its stored source changes; sources are
 * looked up at most every `ttlMs` per codec.
 */
import type { Registry } from '../registry/index.ts'
import { createCodecSandbox, type CodecSandbox } from './codec-sandbox/index.ts'
import type { UplinkInput, UplinkOutput } from './codecs/index.ts'

export interface TenantCodecs {
  decode(tenant: string, model: string, input: UplinkInput): Promise<UplinkOutput | undefined>
  close(): Promise<void>
}

export function createTenantCodecs(options: {
  registry: Pick<Registry, 'getCodec'>
  ttlMs: number
  log?: { warn(details: object, message: string): void }
  now?: () => number
}): TenantCodecs {
  const now = options.now ?? Date.now
  let sandbox: CodecSandbox | undefined
  const sources = new Map<string, { codec: { source: string; sha256: string } | undefined; expiresAt: number }>()
  const loaded = new Map<string, string>()

  async function stored(tenant: string, model: string) {
    const id = `${tenant}/${model}`
    const hit = sources.get(id)
    if (hit && hit.expiresAt > now()) return hit.codec
    const codec = await options.registry.getCodec(tenant, model)
    sources.set(id, { codec, expiresAt: now() + options.ttlMs })
    return codec
  }

  async function ensureLoaded(id: string, codec: { source: string; sha256: string }) {
    // started on first use: most installations use built-in decoders only
    sandbox ??= createCodecSandbox(options.log ? { log: options.log } : {})
    if (loaded.get(id) === codec.sha256) return sandbox
    const result = await sandbox.load(id, codec.source)
    if (!result.ok) throw new Error(`codec ${id} does not load: ${result.reason}`)
    loaded.set(id, codec.sha256)
    return sandbox
  }

  return {
    async decode(tenant, model, input) {
      const codec = await stored(tenant, model)
      if (!codec) return undefined
      const id = `${tenant}/${model}`
      try {
        return await (await ensureLoaded(id, codec)).decode(id, input)
      } catch (err) {
        // a codec that hung the sandbox is unloaded there; load it afresh next time
        loaded.delete(id)
        throw err
      }
    },
    async close() {
      await sandbox?.close()
    },
  }
}
