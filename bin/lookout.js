#!/usr/bin/env node
// The `lookout` command. Lookout runs its TypeScript sources through tsx, so there is no build step.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../app/cli/main.ts')
process.exitCode = await runCli(process.argv.slice(2))
