/**
 * The `lookout` command line. Results go to stdout as JSON; logs and errors go to stderr.
 * Exit codes: 0 done, 1 failed, 2 usage or invalid input.
 */
import { loadConfig } from '../../lib/config.ts'
import { LookoutError } from '../../lib/errors.ts'
import { createLogger } from '../../lib/logger.ts'
import { codecCommand, deviceCommand, integrationCommand, tenantCommand, tokenCommand } from './registry-commands.ts'
import { rulesAdminCommand, rulesCommand, RULES_INPUT_CODES } from './rules-command.ts'
import { simulateCommand } from './simulate-command.ts'
import { startCommand } from './start-command.ts'

const USAGE = `usage: lookout <command>

  start                                     run the pipeline (MQTT broker, HTTP API, workers)
  tenant add <tenant> | tenant list
  device add <id> --tenant <t> --type <type> [--site <s>] [--tz <zone>]
             [--dev-eui <hex16> --codec <vendor/model>] [--hub <id>] [--resident <ref>]
                                            register a device; prints its MQTT credentials once
  integration add --tenant <t> --kind chirpstack|tts
                                            MQTT credentials for a LoRaWAN network server; printed once
  codec add --tenant <t> --model <vendor/model> <codec.js>
                                            a tenant's own LoRaWAN codec (TTN decodeUplink format), run sandboxed
  device list --tenant <t>
  token add --tenant <t> --role responder|viewer
                                            make an API token; printed once
  simulate --device <id> --password <pw> [--event <type> | --telemetry <json>] [--count N] [--interval ms] [--url mqtt://host:port]
  rules test <rules-file> <events.jsonl> [--until <ISO>] [--devices <devices.json>]
                                            replay events through the rules (simulated clock); prints the alerts as JSON lines
  rules set --tenant <t> <rules-file>       validate and install a tenant's rules (default: every shipped pack)
  rules show --tenant <t> | rules reset --tenant <t>

Configuration comes from environment variables; see README.md.`

const USAGE_CODES = new Set<string>(['CLI_USAGE', 'CONFIG_INVALID', 'TENANT_INVALID', 'DEVICE_INVALID', 'DEVICE_EXISTS', 'RULES_TENANT_MISMATCH', ...RULES_INPUT_CODES])

export async function runCli(argv: string[], print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const [command, ...args] = argv
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      print(USAGE)
      return command ? 0 : 2
    }
    if (command === 'rules' && args[0] === 'test') {
      // offline: needs no configuration
      await rulesCommand(args, print)
      return 0
    }
    const config = loadConfig()
    if (command === 'start') {
      await startCommand(config, createLogger(config.logLevel))
      return 0
    }
    // commands keep stdout for their JSON result
    const stderrLog = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', 'stderr')
    switch (command) {
      case 'tenant':
        await tenantCommand(args, config, stderrLog, print)
        return 0
      case 'device':
        await deviceCommand(args, config, stderrLog, print)
        return 0
      case 'codec':
        await codecCommand(args, config, stderrLog, print)
        return 0
      case 'integration':
        await integrationCommand(args, config, stderrLog, print)
        return 0
      case 'token':
        await tokenCommand(args, config, stderrLog, print)
        return 0
      case 'rules':
        await rulesAdminCommand(args, config, stderrLog, print)
        return 0
      case 'simulate':
        await simulateCommand(args, config, print)
        return 0
      default:
        throw new LookoutError('CLI_USAGE', `unknown command "${command}"\n\n${USAGE}`)
    }
  } catch (err) {
    if (err instanceof LookoutError) {
      process.stderr.write(`lookout: ${err.message} [${err.code}]\n`)
      return USAGE_CODES.has(err.code) ? 2 : 1
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lookout: ${err.message}\n`)
      return 2
    }
    process.stderr.write(`lookout: ${(err as Error).message ?? String(err)}\n`)
    return 1
  }
}
