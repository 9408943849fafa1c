/**
 * LoRaWAN devices by DevEUI, cached: a network server sends uplinks for thousands of devices and
 * each would otherwise cost a Redis round trip. Entries live `ttlMs` (a new or moved device is
 * seen within that time); unknown DevEUIs are cached briefly too, so a flood of uplinks for an
 * unregistered device cannot hammer Redis.
 */
import type { Device, Registry } from '../registry/index.ts'

const NEGATIVE_TTL_MS = 5000
const MAX_ENTRIES = 100_000

export function createDeviceCache(registry: Pick<Registry, 'getDeviceByDevEui'>, options: { ttlMs: number; now?: () => number }) {
  const now = options.now ?? Date.now
  const entries = new Map<string, { device: Device | undefined; expiresAt: number }>()
  return {
    async byDevEui(devEui: string): Promise<Device | undefined> {
      const hit = entries.get(devEui)
      if (hit && hit.expiresAt > now()) return hit.device
      const device = await registry.getDeviceByDevEui(devEui)
      if (entries.size >= MAX_ENTRIES) entries.clear()
      entries.set(devEui, { device, expiresAt: now() + (device ? options.ttlMs : NEGATIVE_TTL_MS) })
      return device
    },
  }
}
