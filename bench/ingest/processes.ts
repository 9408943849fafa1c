/**
 * Child processes of the benchmark and what it reads about them from /proc.
 *
 * Everything the benchmark starts is registered in a Scope, closed in reverse order at the end of a
 * part, on failure and on Ctrl-C. As a last resort, any child still alive when this process exits
 * gets SIGKILL (only SIGKILL of the benchmark itself can leave an orphan).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process'
import { open, readFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'

const alive = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of alive) child.kill('SIGKILL')
})

/** Things to undo, last first. */
export class Scope {
  private readonly undo: { name: string; fn: () => Promise<void> }[] = []
  private static readonly open = new Set<Scope>()

  constructor() {
    Scope.open.add(this)
  }

  defer(name: string, fn: () => Promise<void>): void {
    this.undo.push({ name, fn })
  }

  async close(): Promise<void> {
    for (let step = this.undo.pop(); step; step = this.undo.pop()) {
      try {
        await step.fn()
      } catch (err) {
        process.stderr.write(`[ingest] stopping ${step.name} failed: ${(err as Error).message}\n`)
      }
    }
    Scope.open.delete(this)
  }

  /** Closes every scope still open (Ctrl-C, or a failure that skipped a part's own close). */
  static async closeAll(): Promise<void> {
    for (const scope of [...Scope.open].reverse()) await scope.close()
  }
}

export interface Proc {
  readonly name: string
  readonly pid: number
  readonly child: ChildProcess
  /** True while the process has not exited. */
  running(): boolean
  /** Resolves true once the process has exited, false if `timeoutMs` passes first. */
  exited(timeoutMs: number): Promise<boolean>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

function track(name: string, child: ChildProcess, scope: Scope): Proc {
  if (child.pid === undefined) throw new Error(`${name} did not start`)
  alive.add(child)
  child.once('exit', () => alive.delete(child))
  const proc: Proc = {
    name,
    pid: child.pid,
    child,
    running: () => !exited(child),
    exited: (timeoutMs) => waitForExit(child, timeoutMs),
    async stop(graceMs = 20_000) {
      if (exited(child)) return
      child.kill('SIGTERM')
      if (!(await waitForExit(child, graceMs))) {
        child.kill('SIGKILL')
        await waitForExit(child, 5_000)
      }
    },
  }
  scope.defer(name, () => proc.stop())
  return proc
}

/** Resolves when the child has started, rejects if it could not (listen before anything else is awaited). */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
}

/** A program with its stdout and stderr appended to `logFile`. */
export async function startProcess(
  scope: Scope,
  spec: { name: string; command: string; args: string[]; logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Proc> {
  const log = await open(spec.logFile, 'a')
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', log.fd, log.fd] })
  const spawned = started(child)
  await log.close()
  await spawned
  return track(spec.name, child, scope)
}

/** A TypeScript module of this folder run with tsx, talking to us over IPC. */
export async function forkModule(scope: Scope, spec: { name: string; module: string; logFile: string }): Promise<Proc> {
  const log = await open(spec.logFile, 'a')
  const child = fork(spec.module, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', log.fd, log.fd, 'ipc'] })
  const spawned = started(child)
  await log.close()
  await spawned
  return track(spec.name, child, scope)
}

/** The next IPC message of `type` from a forked module; fails if it exits or `timeoutMs` passes first. */
export function nextMessage<T extends { type: string }>(proc: Proc, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const m = message as { type?: string; error?: string }
      if (m.type === 'failed') finish(() => reject(new Error(`${proc.name}: ${m.error}`)))
      else if (m.type === type) finish(() => resolve(message as T))
    }
    const onExit = (code: number | null, signal: string | null) =>
      finish(() => reject(new Error(`${proc.name} exited (${code ?? signal}) while we waited for "${type}"`)))
    const timer = setTimeout(() => finish(() => reject(new Error(`${proc.name}: no "${type}" within ${timeoutMs} ms`))), timeoutMs)
    const finish = (settle: () => void) => {
      clearTimeout(timer)
      proc.child.off('message', onMessage)
      proc.child.off('exit', onExit)
      settle()
    }
    proc.child.on('message', onMessage)
    proc.child.once('exit', onExit)
  })
}

/** Polls `check` every `everyMs` until it is true; false if `timeoutMs` passes first. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** User + system CPU seconds a process (all its threads) has used so far; NaN once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after the command name, which is in parentheses and may hold spaces: state is field 3
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return NaN
  }
}

/** Peak resident set size (VmHWM) in bytes; NaN once the process is gone. */
export async function peakRssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]
    return kb ? Number(kb) * 1024 : NaN
  } catch {
    return NaN
  }
}

/** Whole-machine busy and total CPU seconds since boot, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  const idleAll = (idle ?? 0) + (iowait ?? 0)
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0)
  return { busy: busy / CLOCK_TICKS, total: (busy + idleAll) / CLOCK_TICKS }
}

/** The first line of a program's version output, or undefined when it cannot be run. */
export function versionOf(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]?.trim()
  } catch (err) {
    // mosquitto -h prints its version and exits non-zero
    const out = (err as { stdout?: string }).stdout
    return out ? out.split('\n')[0]?.trim() : undefined
  }
}
