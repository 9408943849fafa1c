/**
 * Runs a server binary as a child process, waits until it answers, and stops it on request.
 * Its output goes to a log file beside its data so a failed start can say why.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { open, readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { LookoutError } from '../../lib/errors.ts'

export interface ChildService {
  readonly name: string
  readonly pid: number
  readonly url: string
  stop(): Promise<void>
}

export interface ChildServiceSpec {
  name: string
  command: string
  args: string[]
  logFile: string
  /** Working directory of the server: its data folder, which is how an orphan is recognised later. */
  cwd: string
  url: string
  isReady: () => Promise<boolean>
  startTimeoutMs?: number
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

export async function startChildService(spec: ChildServiceSpec): Promise<ChildService> {
  const log = await open(spec.logFile, 'a')
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', log.fd, log.fd], detached: false })
  await log.close()
  let spawnError: Error | undefined
  child.once('error', (err) => {
    spawnError = err
  })
  const deadline = Date.now() + (spec.startTimeoutMs ?? 30_000)
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const reason = spawnError?.message ?? `exited with ${child.exitCode ?? child.signalCode}`
      throw new LookoutError('SERVICE_START_FAILED', `${spec.name} ${reason}; its log (${spec.logFile}) ends:\n${await tail(spec.logFile)}`)
    }
    if (await spec.isReady()) break
    await sleep(100)
  }
  if (!(await spec.isReady())) {
    child.kill('SIGKILL')
    throw new LookoutError('SERVICE_START_FAILED', `${spec.name} did not answer within ${spec.startTimeoutMs ?? 30_000} ms; log: ${spec.logFile}`)
  }
  const pid = child.pid
  if (pid === undefined) throw new LookoutError('SERVICE_START_FAILED', `${spec.name} has no pid`)
  return {
    name: spec.name,
    pid,
    url: spec.url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL')
        await waitForExit(child, 2_000)
      }
    },
  }
}
