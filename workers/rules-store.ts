/**
 * Each tenant's rules file, kept in Redis and loaded by the rule workers.
 *
 *   P:rules:<tenant>   hash { text, source, version, updatedAt }
 *
 * A tenant with no rules file gets DEFAULT_PACKS (every shipped pack, with their defaults). A file is
 * validated when it is set (`lookout rules set`), so a bad one is refused with the field and line
 * and the tenant's rules stay as they were. The workers cache the parsed file by version: a change
 * is picked up within one job, with one HGET per tenant per job.
 */
import type { Redis } from 'ioredis'
import { LookoutError } from '../lib/errors.ts'
import { parseRules, parseRulesText, PACK_NAMES, type RulesConfig } from '../rules/index.ts'

export const DEFAULT_PACKS = PACK_NAMES
export const DEFAULT_RULES_SOURCE = 'default rules (every shipped pack)'

export interface StoredRules {
  text: string
  source: string
  version: string
  updatedAt: string
}

export function defaultRulesConfig(tenant: string): RulesConfig {
  return parseRules({ tenant, packs: [...DEFAULT_PACKS] }, { source: DEFAULT_RULES_SOURCE })
}

export function createRulesStore(redis: Redis, keyPrefix: string, options: { onInvalid?: (tenant: string, err: unknown) => void } = {}) {
  const key = (tenant: string) => `${keyPrefix}:rules:${tenant}`
  const cache = new Map<string, { version: string; config: RulesConfig }>()
  const defaults = new Map<string, RulesConfig>()

  const defaultFor = (tenant: string): RulesConfig => {
    let config = defaults.get(tenant)
    if (!config) {
      config = defaultRulesConfig(tenant)
      defaults.set(tenant, config)
    }
    return config
  }

  return {
    /** Validates and stores a tenant's rules file; throws RULES_INVALID (with fields and lines) or RULES_TENANT_MISMATCH. */
    async set(tenant: string, text: string, source: string, now: number): Promise<RulesConfig> {
      const config = parseRulesText(text, { source })
      if (config.tenant !== tenant) throw new LookoutError('RULES_TENANT_MISMATCH', `${source} is the rules file of tenant "${config.tenant}", not "${tenant}"`)
      await redis.hset(key(tenant), 'text', text, 'source', source, 'version', config.version, 'updatedAt', new Date(now).toISOString())
      return config
    },

    async get(tenant: string): Promise<StoredRules | undefined> {
      const raw = await redis.hgetall(key(tenant))
      if (raw.text === undefined) return undefined
      return { text: raw.text, source: raw.source ?? 'rules', version: raw.version ?? '', updatedAt: raw.updatedAt ?? '' }
    },

    /** Back to the default packs. */
    async remove(tenant: string): Promise<boolean> {
      return (await redis.del(key(tenant))) === 1
    },

    /** The rules of each tenant, parsed once per version. A stored file that no longer validates (a catalogue change) falls back to the defaults and is reported. */
    async load(tenants: Iterable<string>): Promise<Map<string, RulesConfig>> {
      const list = [...new Set(tenants)]
      const pipeline = redis.pipeline()
      for (const t of list) pipeline.hget(key(t), 'version')
      const versions = (await pipeline.exec()) ?? []
      const out = new Map<string, RulesConfig>()
      for (const [i, tenant] of list.entries()) {
        const [err, version] = versions[i] ?? [new Error('no reply'), null]
        if (err) throw err
        if (typeof version !== 'string') {
          out.set(tenant, defaultFor(tenant))
          continue
        }
        const hit = cache.get(tenant)
        if (hit?.version === version) {
          out.set(tenant, hit.config)
          continue
        }
        const stored = await this.get(tenant)
        let config: RulesConfig
        try {
          config = stored ? parseRulesText(stored.text, { source: stored.source }) : defaultFor(tenant)
        } catch (e) {
          options.onInvalid?.(tenant, e)
          config = defaultFor(tenant)
        }
        cache.set(tenant, { version, config })
        out.set(tenant, config)
      }
      return out
    },
  }
}

export type RulesStore = ReturnType<typeof createRulesStore>
