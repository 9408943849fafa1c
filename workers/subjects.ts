/**
 * Rule subjects (device, site, zone, hub, resident) from the registry, cached for `ttlMs`: a rule
 * job evaluates hundreds of records, and a device's registration changes rarely. A device that is
 * not registered (removed) is cached briefly too.
 */
import type { Registry } from '../registry/index.ts'
import type { Subject } from '../rules/index.ts'

const NEGATIVE_TTL_MS = 2000
const MAX_ENTRIES = 200_000

export function createSubjectCache(registry: Pick<Registry, 'getDevice'>, options: { ttlMs: number; now?: () => number }) {
  const now = options.now ?? Date.now
  const entries = new Map<string, { subject: Subject | undefined; expiresAt: number }>()
  return {
    async get(deviceIds: readonly string[]): Promise<Map<string, Subject | undefined>> {
      const out = new Map<string, Subject | undefined>()
      const missing: string[] = []
      const t = now()
      for (const id of deviceIds) {
        const hit = entries.get(id)
        if (hit && hit.expiresAt > t) out.set(id, hit.subject)
        else missing.push(id)
      }
      const devices = await Promise.all(missing.map((id) => registry.getDevice(id)))
      if (entries.size + missing.length > MAX_ENTRIES) entries.clear()
      missing.forEach((id, i) => {
        const d = devices[i]
        const subject: Subject | undefined = d && { tenant: d.tenant, deviceId: d.deviceId, deviceType: d.type, site: d.site, timeZone: d.timeZone, hub: d.hub, resident: d.resident }
        entries.set(id, { subject, expiresAt: t + (subject ? options.ttlMs : NEGATIVE_TTL_MS) })
        out.set(id, subject)
      })
      return out
    },
    /** Forget a device (it was registered or changed just now). */
    forget(deviceId: string): void {
      entries.delete(deviceId)
    },
  }
}

export type SubjectCache = ReturnType<typeof createSubjectCache>
