/**
 * Finds a server binary, installing its Debian package with apt-get when it is missing and this
 * process may (root on Debian/Ubuntu, LOOKOUT_AUTO_INSTALL not 0). Otherwise it stops with a
 * message that says what to install.
 */
import { spawn } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import path from 'node:path'
import { LookoutError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/logger.ts'

const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin']

export async function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...EXTRA_DIRS]
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

function run(command: string, args: string[], log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    log.info({ command: [command, ...args].join(' ') }, 'running')
    // stdout/stderr go to the terminal so the user sees apt's own progress
    const child = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))))
  })
}

export interface InstallPolicy {
  autoInstall: 'auto' | 'yes' | 'no'
  log: Logger
}

export async function ensureBinary(binary: string, debPackage: string, envVar: string, policy: InstallPolicy): Promise<string> {
  const found = await findBinary(binary)
  if (found) return found
  const advice =
    `Install it (Debian/Ubuntu: apt-get install ${debPackage}), or set ${envVar} to a running server, ` +
    'or run the whole stack with `docker compose up`.'
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const aptGet = await findBinary('apt-get')
  if (policy.autoInstall === 'no' || !aptGet || (!isRoot && policy.autoInstall === 'auto')) {
    const why = policy.autoInstall === 'no' ? 'LOOKOUT_AUTO_INSTALL=0' : !aptGet ? 'no apt-get on this machine' : 'not running as root'
    throw new LookoutError('SERVICE_MISSING', `${binary} not found on PATH and not installed automatically (${why}). ${advice}`)
  }
  policy.log.info({ binary, package: debPackage }, `${binary} is missing: installing Debian package ${debPackage} (one time)`)
  try {
    await run(aptGet, ['update', '-q'], policy.log)
    await run(aptGet, ['install', '-y', '-q', '--no-install-recommends', debPackage], policy.log)
  } catch (cause) {
    throw new LookoutError('SERVICE_MISSING', `installing ${debPackage} failed: ${(cause as Error).message}. ${advice}`, { cause })
  }
  const installed = await findBinary(binary)
  if (!installed) throw new LookoutError('SERVICE_MISSING', `${debPackage} installed but ${binary} still not found. ${advice}`)
  return installed
}
