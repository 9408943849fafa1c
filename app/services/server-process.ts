/**
 * Which processes serve a provisioned server's data folder, told by what the kernel records for
 * each process rather than by its command line (redis-server rewrites its own process title, so
 * the folder never shows there):
 *  - its name, `/proc/<pid>/comm`, set from the executable's file name at exec;
 *  - its working directory, `/proc/<pid>/cwd`: redis-server changes into its `dir`, and Lookout
 *    starts influxd inside its folder. A command-line argument inside the folder also counts, for
 *    an influxd started before Lookout set its working directory.
 * A pid on its own proves nothing: after a reboot or enough time it may belong to anything.
 * Linux only; where there is no /proc nothing is found, so nothing is ever stopped.
 */
import { readFileSync } from 'node:fs'
import { readdir, readFile, readlink, realpath } from 'node:fs/promises'
import path from 'node:path'

export interface ServerIdentity {
  /** The kernel's name for the process (`redis-server`, `influxd`). */
  name: string
  /** The data folder it serves. */
  dir: string
}

/** Fields of a `/proc/<pid>/stat` line that tell whether a pid is still the same process. */
export function parseProcStat(line: string): { state: string; startTime: number } | undefined {
  // the name (field 2) is in parentheses and may itself hold spaces or ')'
  const close = line.lastIndexOf(')')
  if (close < 0) return undefined
  const fields = line.slice(close + 2).split(' ')
  const startTime = Number(fields[19])
  if (!fields[0] || !Number.isInteger(startTime)) return undefined
  return { state: fields[0], startTime }
}

function procStat(pid: number): { state: string; startTime: number } | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

/** True when `pid` is a live process (not one that has exited and waits to be reaped). */
export function isRunning(pid: number | undefined): pid is number {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: it exists but belongs to another user
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return procStat(pid)?.state !== 'Z'
}

/** When the process started, in clock ticks since boot: with the pid, it names one process. */
export function startTimeOf(pid: number): number | undefined {
  return procStat(pid)?.startTime
}

async function realDir(dir: string): Promise<string> {
  return realpath(dir).catch(() => path.resolve(dir))
}

async function matches(pid: number, name: string, dirs: string[]): Promise<boolean> {
  try {
    if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() !== name) return false
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined)
    if (cwd !== undefined && dirs.includes(cwd)) return true
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
    return argv.some((arg) => dirs.some((dir) => arg.startsWith(dir + path.sep)))
  } catch {
    return false
  }
}

async function servedDirs(identity: ServerIdentity): Promise<string[]> {
  return [...new Set([path.resolve(identity.dir), await realDir(identity.dir)])]
}

/** True when `pid` is a live process of the identity's name serving the identity's folder. */
export async function isServing(pid: number | undefined, identity: ServerIdentity): Promise<boolean> {
  return isRunning(pid) && (await matches(pid, identity.name, await servedDirs(identity))) && isRunning(pid)
}

/** Every live process of the identity's name serving its folder, lowest pid first. */
export async function serversServing(identity: ServerIdentity): Promise<number[]> {
  let entries: string[]
  try {
    entries = await readdir('/proc')
  } catch {
    return []
  }
  const dirs = await servedDirs(identity)
  const found: number[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (/^\d+$/.test(entry) && pid !== process.pid && (await matches(pid, identity.name, dirs)) && isRunning(pid)) found.push(pid)
  }
  return found.sort((a, b) => a - b)
}

/** The pid a server wrote to its pid file, or undefined when there is none or it is not a pid. */
export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim()
    return /^\d+$/.test(text) ? Number(text) : undefined
  } catch {
    return undefined
  }
}
