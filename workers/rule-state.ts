/**
 * Rule state and timers in Redis, per device, written back in one atomic commit per job.
 *
 * Keys (P = key prefix):
 *   P:rs:<deviceId>     hash: v (version, +1 per commit), job (the last records job applied),
 *                       clock (last decision time), seen (see device-run.ts),
 *                       s:<ruleId> (the kind's state, JSON), t:<ruleId>\0<timer> (due, epoch ms)
 *   P:timers:p<N>       sorted set of partition N's devices by their earliest due timer
 *
 * A commit is a Lua script: it checks every device's version is still the one loaded (else nothing
 * is written and the job reloads and runs again), then writes states, timers and the partition's
 * timer index together. So a worker killed at any moment leaves either all of a job's effects or
 * none; with the `job` marker a records job that was committed but not marked complete in BullMQ
 * is not applied twice when it runs again.
 */
import type { Redis } from 'ioredis'
import { LookoutError } from '../lib/errors.ts'
import { emptyDeviceState, nextDue, type DeviceRuleState, type DeviceRunOutput } from '../rules/index.ts'

export interface StoredDevice {
  state: DeviceRuleState
  /** The version loaded: the commit requires it unchanged. */
  version: number
  /** The last records job applied to this device (BullMQ job ids are increasing integers per queue). */
  lastJob: number
  /** The timer ids it had when loaded (to delete those no longer armed). */
  loadedTimers: string[]
}

export interface DeviceCommit {
  deviceId: string
  stored: StoredDevice
  output: DeviceRunOutput
  /** Set for records jobs: marks the job applied to this device. */
  job?: number | undefined
  /** Also drop the device's whole state (it is no longer registered). */
  remove?: boolean | undefined
}


/**
 * KEYS: timer index, then one state hash per device. ARGV[1]: JSON list, per device in KEYS order,
 * of { id, expect, set: [field, value, ...], del: [field, ...], next: due | false, remove }.
 * Returns 0 when written, else the 1-based index of the first device whose version moved.
 */
const COMMIT = `
local devices = cjson.decode(ARGV[1])
for i, d in ipairs(devices) do
  local v = redis.call('HGET', KEYS[i + 1], 'v') or '0'
  if v ~= d.expect then return i end
end
for i, d in ipairs(devices) do
  local key = KEYS[i + 1]
  if d.remove then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], d.id)
  else
    if #d.del > 0 then redis.call('HDEL', key, unpack(d.del)) end
    redis.call('HSET', key, 'v', tostring(tonumber(d.expect) + 1), unpack(d.set))
    if d.next then redis.call('ZADD', KEYS[1], d.next, d.id) else redis.call('ZREM', KEYS[1], d.id) end
  end
end
return 0`

const STATE_PREFIX = 's:'
const TIMER_PREFIX = 't:'

type CommitCommand = (numKeys: number, ...args: string[]) => Promise<number>

export function createRuleStateStore(redis: Redis, keyPrefix: string) {
  // EVALSHA: the script text is sent once per connection, not with every commit
  if (!('lookoutRuleCommit' in redis)) redis.defineCommand('lookoutRuleCommit', { lua: COMMIT })
  const commitScript = (redis as unknown as { lookoutRuleCommit: CommitCommand }).lookoutRuleCommit.bind(redis)
  const stateKey = (deviceId: string) => `${keyPrefix}:rs:${deviceId}`
  const timerIndex = (partition: number) => `${keyPrefix}:timers:p${partition}`

  function decode(raw: Record<string, string>): StoredDevice {
    const state = emptyDeviceState()
    for (const [field, value] of Object.entries(raw)) {
      if (field.startsWith(STATE_PREFIX)) {
        try {
          state.states[field.slice(STATE_PREFIX.length)] = JSON.parse(value)
        } catch {
          // unreadable state: the kind starts afresh (init) rather than the device's rules stopping
        }
      } else if (field.startsWith(TIMER_PREFIX)) {
        const at = Number(value)
        if (Number.isFinite(at)) state.timers[field.slice(TIMER_PREFIX.length)] = at
      }
    }
    state.clock = Number(raw.clock ?? 0) || 0
    if (raw.seen !== undefined && Number.isFinite(Number(raw.seen))) state.seen = Number(raw.seen)
    return { state, version: Number(raw.v ?? 0) || 0, lastJob: Number(raw.job ?? 0) || 0, loadedTimers: Object.keys(state.timers) }
  }

  return {
    stateKey,
    timerIndex,

    /** States of the devices, by id (a device with none gets an empty state at version 0). */
    async load(deviceIds: readonly string[]): Promise<Map<string, StoredDevice>> {
      const pipeline = redis.pipeline()
      for (const id of deviceIds) pipeline.hgetall(stateKey(id))
      const results = (await pipeline.exec()) ?? []
      const out = new Map<string, StoredDevice>()
      deviceIds.forEach((id, i) => {
        const [err, raw] = results[i] ?? [new Error('no reply'), null]
        if (err) throw err
        out.set(id, decode((raw ?? {}) as Record<string, string>))
      })
      return out
    },

    /** The `seen` times of hubs, for inhibition. */
    async seenOf(hubIds: readonly string[]): Promise<Map<string, number | undefined>> {
      const pipeline = redis.pipeline()
      for (const id of hubIds) pipeline.hget(stateKey(id), 'seen')
      const results = (await pipeline.exec()) ?? []
      const out = new Map<string, number | undefined>()
      hubIds.forEach((id, i) => {
        const [err, raw] = results[i] ?? [new Error('no reply'), null]
        if (err) throw err
        out.set(id, raw === null || raw === undefined ? undefined : Number(raw))
      })
      return out
    },

    /** Devices of the partition with a timer due at or before `now`, earliest first. */
    async dueDevices(partition: number, now: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(timerIndex(partition), '-inf', now, 'LIMIT', 0, limit)
    },

    /** Writes the commits atomically; throws RULE_STATE_CONFLICT when a device changed meanwhile. */
    async commit(partition: number, commits: readonly DeviceCommit[]): Promise<void> {
      if (commits.length === 0) return
      const payload = commits.map((c) => {
        const { state } = c.stored
        const set: string[] = ['clock', String(state.clock)]
        if (state.seen !== undefined) set.push('seen', String(state.seen))
        if (c.job !== undefined) set.push('job', String(c.job))
        for (const ruleId of c.output.changedStates) set.push(STATE_PREFIX + ruleId, JSON.stringify(state.states[ruleId]))
        const del: string[] = [...c.output.removedStates].map((ruleId) => STATE_PREFIX + ruleId)
        if (c.output.timersChanged) {
          // timers are few per device: rewrite them all
          for (const [id, at] of Object.entries(state.timers)) set.push(TIMER_PREFIX + id, String(at))
          for (const id of c.stored.loadedTimers) if (!(id in state.timers)) del.push(TIMER_PREFIX + id)
        }
        const next = nextDue(state)
        return { id: c.deviceId, expect: String(c.stored.version), set, del, next: next === undefined ? false : String(next), remove: c.remove === true }
      })
      const result = await commitScript(1 + commits.length, timerIndex(partition), ...commits.map((c) => stateKey(c.deviceId)), JSON.stringify(payload))
      if (result !== 0) throw new LookoutError('RULE_STATE_CONFLICT', `rule state of ${commits[Number(result) - 1]!.deviceId} changed while it was evaluated`)
    },
  }
}

export type RuleStateStore = ReturnType<typeof createRuleStateStore>
