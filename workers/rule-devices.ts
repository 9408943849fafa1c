/**
 * What a rule job loads before it steps its devices: each device's stored rule state, its subject
 * (from the registry), its tenant's rules resolved for it, and the last-seen times of the hubs the
 * devices report through.
 */
import type { Logger } from '../lib/logger.ts'
import type { LookoutError } from '../lib/errors.ts'
import type { Metrics } from '../lib/metrics.ts'
import { rulesFor, type ResolvedRule, type RulesConfig, newOutput, type DeviceContext, type HubStatus, type Subject } from '../rules/index.ts'
import type { DeviceCommit, RuleStateStore } from './rule-state.ts'
import { defaultRulesConfig, type RulesStore } from './rules-store.ts'
import type { SubjectCache } from './subjects.ts'

export interface LoadedDevice {
  subject: Subject
  ctx: DeviceContext
  commit: DeviceCommit
}

/** The registered devices, and a removal commit for each device that is not registered (any more). */
export interface LoadedDevices {
  loaded: Map<string, LoadedDevice>
  unknown: DeviceCommit[]
}

export type LoadDevices = (deviceIds: readonly string[]) => Promise<LoadedDevices>

/**
 * A tenant's rules for one device. An override that merges into invalid params for this device
 * (refused at `rules set` for the devices then registered) makes the device fall back to the
 * default packs; that is logged once per rules version and device, and counted every time.
 */
export function createRulesResolver(deps: { metrics: Metrics; log: Logger }): (config: RulesConfig, subject: Subject) => readonly ResolvedRule[] {
  const reportedInvalid = new Set<string>()
  return function rulesOf(config, subject) {
    try {
      return rulesFor(config, subject)
    } catch (err) {
      const key = `${config.version}\u0000${subject.deviceId}`
      if (!reportedInvalid.has(key)) {
        reportedInvalid.add(key)
        deps.log.error({ tenant: subject.tenant, deviceId: subject.deviceId, code: (err as LookoutError).code, err }, 'rules do not resolve for device; using the default packs')
      }
      deps.metrics.rulesFailures.inc({ code: 'RULES_INVALID' })
      return rulesFor(defaultRulesConfig(subject.tenant), subject)
    }
  }
}

export function createDeviceLoader(deps: { states: RuleStateStore; subjects: SubjectCache; rules: RulesStore; metrics: Metrics; log: Logger }): LoadDevices {
  const rulesOf = createRulesResolver(deps)

  /** A hub is consulted only when it is a registered device of the device's own tenant. */
  async function hubsOf(known: readonly Subject[]): Promise<{ hubs: Record<string, HubStatus>; hubSubjects: Map<string, Subject | undefined> }> {
    const hubIds = [...new Set(known.flatMap((s) => (s.hub !== undefined && s.hub !== s.deviceId ? [s.hub] : [])))]
    const hubs: Record<string, HubStatus> = {}
    if (hubIds.length === 0) return { hubs, hubSubjects: new Map() }
    const [seen, hubSubjects] = await Promise.all([deps.states.seenOf(hubIds), deps.subjects.get(hubIds)])
    for (const [hub, at] of seen) hubs[hub] = { lastSeenAt: at }
    return { hubs, hubSubjects }
  }

  return async function load(deviceIds) {
    const [stored, subjects] = await Promise.all([deps.states.load(deviceIds), deps.subjects.get(deviceIds)])
    const known = [...subjects.values()].filter((s): s is Subject => s !== undefined)
    const configs = await deps.rules.load(known.map((s) => s.tenant))
    const { hubs, hubSubjects } = await hubsOf(known)
    const loaded = new Map<string, LoadedDevice>()
    const unknown: DeviceCommit[] = []
    for (const id of deviceIds) {
      const s = stored.get(id)!
      let subject = subjects.get(id)
      if (subject?.hub !== undefined && subject.hub !== subject.deviceId && hubSubjects.get(subject.hub)?.tenant !== subject.tenant) {
        // a hub that is not a registered device of the same tenant is no hub: never consult another tenant's device
        subject = { ...subject, hub: undefined }
      }
      if (!subject) {
        unknown.push({ deviceId: id, stored: s, output: newOutput(), remove: true })
        continue
      }
      const ctx: DeviceContext = { subject, rules: rulesOf(configs.get(subject.tenant)!, subject), hubs }
      loaded.set(id, { subject, ctx, commit: { deviceId: id, stored: s, output: newOutput() } })
    }
    return { loaded, unknown }
  }
}
