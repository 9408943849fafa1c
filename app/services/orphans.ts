/**
 * Before a provisioned server starts on its data folder, no other process may be serving it: two
 * redis-servers appending to one AOF, or two influxd on one WAL, corrupt it.
 *  - A server that one of our records names (services.json, or the pid file the server itself
 *    wrote into its folder) and that still serves the folder is an orphan of an earlier Lookout
 *    killed with SIGKILL: it is stopped (SIGTERM, so Redis flushes its AOF; SIGKILL after 10 s).
 *  - Any other process serving the folder is not provably ours: starting is refused.
 * A recorded pid that now belongs to some other process is left alone (see server-process.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { LookoutError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/logger.ts'
import { isServing, serversServing, type ServerIdentity } from './server-process.ts'

export interface FolderServer extends ServerIdentity {
  /** Pids our records name for this folder; undefined entries are ignored. */
  recorded: (number | undefined)[]
}

async function stopServer(pid: number, server: ServerIdentity, log: Logger): Promise<void> {
  // checked again right before each signal: between two looks the pid may have ended and been reused
  if (!(await isServing(pid, server))) return
  log.warn({ pid, server: server.name, dir: server.dir }, 'stopping a server left running by an earlier Lookout process')
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 100; i++) {
    if (!(await isServing(pid, server))) return
    await sleep(100)
  }
  if (await isServing(pid, server)) process.kill(pid, 'SIGKILL')
  for (let i = 0; i < 50 && (await isServing(pid, server)); i++) await sleep(100)
}

/**
 * Stops the orphans of ours serving the folder. With `refuseOthers`, throws SERVICE_START_FAILED
 * when some other process serves it (or an orphan would not stop); without, leaves them be.
 */
export async function clearFolder(server: FolderServer, log: Logger, options: { refuseOthers: boolean }): Promise<void> {
  const recorded = new Set(server.recorded.filter((pid): pid is number => pid !== undefined))
  for (const pid of await serversServing(server)) {
    if (recorded.has(pid)) await stopServer(pid, server, log)
  }
  if (!options.refuseOthers) return
  const others = await serversServing(server)
  if (others.length > 0) {
    const who = others.map((pid) => `${server.name} (pid ${pid})`).join(', ')
    throw new LookoutError(
      'SERVICE_START_FAILED',
      `${who} already serves ${server.dir}; Lookout never starts a second server on a folder in use, and stops only ` +
        'servers its own records show it left running there. Stop it first, or set LOOKOUT_DATA_DIR to another folder',
    )
  }
}
