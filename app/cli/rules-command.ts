/**
 * `lookout rules test <rules-file> <events.jsonl> [--until <ISO>] [--devices <devices.json>]`:
 * replays events through the real rule code with a simulated clock and prints, as JSON lines, every
 * alert it would raise or clear (rules/engine/replay.ts; formats in docs/rules.md). Offline: needs no
 * Redis and no configuration. Bad input exits 2 with the file and line.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parseRulesText, replay, Instant, instantMs, parseDevicesJson, parseEventsJsonl, rulesFor } from '../../rules/index.ts'
import { LookoutError, type ErrorCode } from '../../lib/errors.ts'
import { createRulesStore, DEFAULT_PACKS, DEFAULT_RULES_SOURCE, enqueueRuleInit } from '../../workers/index.ts'
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/logger.ts'
import { withRedis, type Print } from './registry-commands.ts'

export const RULES_USAGE = `usage: lookout rules test <rules-file> <events.jsonl> [--until <ISO time>] [--devices <devices.json>]
       lookout rules set --tenant <t> <rules-file>     validate and install a tenant's rules (live within a job)
       lookout rules show --tenant <t>                 the tenant's rules file, or the default packs
       lookout rules reset --tenant <t>                back to the default packs`

/** Codes of this command that mean bad input (exit 2). */
export const RULES_INPUT_CODES: readonly ErrorCode[] = ['RULES_INVALID', 'REPLAY_INPUT_INVALID']

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new LookoutError('CLI_USAGE', `cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
  }
}

export async function rulesCommand(args: string[], print: Print): Promise<void> {
  const [sub, ...rest] = args
  if (sub !== 'test') throw new LookoutError('CLI_USAGE', RULES_USAGE)
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { until: { type: 'string' }, devices: { type: 'string' } } })
  const [rulesFile, eventsFile, ...extra] = positionals
  if (!rulesFile || !eventsFile || extra.length > 0) throw new LookoutError('CLI_USAGE', RULES_USAGE)
  let until: number | undefined
  if (values.until !== undefined) {
    const parsed = Instant.safeParse(values.until)
    if (!parsed.success || typeof parsed.data !== 'string') {
      throw new LookoutError('CLI_USAGE', `--until must be an ISO time with a zone, e.g. 2026-01-07T00:00:00Z (got "${values.until}")`)
    }
    until = instantMs(parsed.data)
  }
  const config = parseRulesText(await readInput(rulesFile, 'rules file'), { source: rulesFile })
  const devices = values.devices === undefined ? [] : parseDevicesJson(await readInput(values.devices, 'devices file'), values.devices)
  const input = parseEventsJsonl(await readInput(eventsFile, 'events file'), devices, eventsFile)
  const result = replay({ config, events: input.events, devices: input.devices, until })
  for (const line of result.lines) print(JSON.stringify(line))
}

/** `lookout rules set|show|reset --tenant <t>`: a tenant's live rules, in the Redis of this installation. */
export async function rulesAdminCommand(args: string[], config: Config, log: Logger, print: Print): Promise<void> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { tenant: { type: 'string' } } })
  const tenant = values.tenant
  if (!tenant || (sub !== 'set' && sub !== 'show' && sub !== 'reset')) throw new LookoutError('CLI_USAGE', RULES_USAGE)
  if (sub === 'set') {
    const [file, ...extra] = positionals
    if (!file || extra.length > 0) throw new LookoutError('CLI_USAGE', RULES_USAGE)
    const text = await readInput(file, 'rules file')
    const config0 = parseRulesText(text, { source: file })
    if (config0.tenant !== tenant) throw new LookoutError('RULES_TENANT_MISMATCH', `${file} is the rules file of tenant "${config0.tenant}", not "${tenant}"`)
    await withRedis(config, log, async (redis, registry) => {
      const devices = await registry.listDevices(tenant)
      // every registered device must resolve (overrides merge into valid params for it), or nothing changes
      for (const d of devices) rulesFor(config0, { tenant, deviceId: d.deviceId, deviceType: d.type, site: d.site, timeZone: d.timeZone, hub: d.hub, resident: d.resident })
      const store = createRulesStore(redis, config.keyPrefix)
      const now = Date.now()
      const installed = await store.set(tenant, text, file, now)
      // rules new to a device start now: arm their timers without waiting for a message
      await enqueueRuleInit({ connection: redis, keyPrefix: config.keyPrefix, partitions: config.rulePartitions }, devices.map((d) => d.deviceId), now)
      print(JSON.stringify({ tenant, version: installed.version, packs: installed.packs, rules: installed.rules.length, overrides: installed.overrides.length, devices: devices.length }))
    })
  } else if (sub === 'show') {
    await withRedis(config, log, async (redis) => {
      const stored = await createRulesStore(redis, config.keyPrefix).get(tenant)
      print(JSON.stringify(stored ? { tenant, source: stored.source, version: stored.version, updatedAt: stored.updatedAt, text: stored.text } : { tenant, source: DEFAULT_RULES_SOURCE, packs: DEFAULT_PACKS }))
    })
  } else {
    await withRedis(config, log, async (redis, registry) => {
      const removed = await createRulesStore(redis, config.keyPrefix).remove(tenant)
      const devices = await registry.listDevices(tenant)
      await enqueueRuleInit({ connection: redis, keyPrefix: config.keyPrefix, partitions: config.rulePartitions }, devices.map((d) => d.deviceId), Date.now())
      print(JSON.stringify({ tenant, reset: removed, source: DEFAULT_RULES_SOURCE }))
    })
  }
}
