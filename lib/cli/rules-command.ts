/**
 * `lookout rules test <rules-file> <events.jsonl> [--until <ISO>] [--devices <devices.json>]`:
 * replays events through the real rule code with a simulated clock and prints, as JSON lines, every
 * alert it would raise or clear (rules/engine/replay.ts; formats in docs/rules.md). Offline: needs no
 * Redis and no configuration. Bad input exits 2 with the file and line.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parseRulesText } from '../../rules/definitions/load.ts'
import { replay } from '../../rules/engine/replay.ts'
import { Instant, instantMs, parseDevicesJson, parseEventsJsonl } from '../../rules/engine/replay-input.ts'
import { LookoutError, type ErrorCode } from '../errors.ts'
import type { Print } from './registry-commands.ts'

export const RULES_USAGE = 'usage: lookout rules test <rules-file> <events.jsonl> [--until <ISO time>] [--devices <devices.json>]'

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
