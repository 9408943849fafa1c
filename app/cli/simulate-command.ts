/** `lookout simulate`: one simulated device publishes events or telemetry. */
import { parseArgs } from 'node:util'
import { simulateDevice } from '../../simulators/index.ts'
import type { Config } from '../../lib/config.ts'
import { LookoutError } from '../../lib/errors.ts'
import type { Print } from './registry-commands.ts'

export async function simulateCommand(args: string[], config: Config, print: Print): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      device: { type: 'string' },
      password: { type: 'string' },
      url: { type: 'string' },
      event: { type: 'string' },
      telemetry: { type: 'string' },
      count: { type: 'string', default: '1' },
      interval: { type: 'string', default: '1000' },
    },
  })
  if (!values.device || !values.password) {
    throw new LookoutError('CLI_USAGE', 'usage: lookout simulate --device <id> --password <pw> [--event <type> | --telemetry <json>] [--count N] [--interval ms] [--url mqtt://host:port]')
  }
  let telemetry: Record<string, unknown> | undefined
  if (values.telemetry) {
    try {
      telemetry = JSON.parse(values.telemetry) as Record<string, unknown>
    } catch {
      throw new LookoutError('CLI_USAGE', '--telemetry must be a JSON object, e.g. {"temperature":17.5}')
    }
  }
  const count = Number(values.count)
  const intervalMs = Number(values.interval)
  if (!Number.isInteger(count) || count < 1 || !Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new LookoutError('CLI_USAGE', '--count must be a whole number ≥ 1 and --interval a number of milliseconds')
  }
  const report = await simulateDevice({
    url: values.url ?? `mqtt://127.0.0.1:${config.mqttPort}`,
    deviceId: values.device,
    password: values.password,
    channel: telemetry ? 'telemetry' : 'events',
    message: (_n, now) => (telemetry ? { ts: now.toISOString(), ...telemetry } : { type: values.event ?? 'pendant.pressed', ts: now.toISOString() }),
    count,
    intervalMs,
  })
  print(JSON.stringify(report))
}
