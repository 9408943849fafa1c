/**
 * What every benchmark does around its parts: a temporary folder, each part in its own subfolder,
 * and everything it started (Scope: servers, child processes) stopped on success, failure, Ctrl-C
 * or a crash. The folder is removed unless `keep`. On failure it prints why and exits 1.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { progress } from './ingest/common.ts'
import { Scope } from './ingest/processes.ts'

export async function runParts<P extends string>(bench: string, options: { parts: readonly P[]; keep: boolean }, run: (part: P, dir: string) => Promise<void>): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), `lookout-bench-${bench}-`))
  const removeTmp = () => (options.keep ? Promise.resolve() : rm(tmp, { recursive: true, force: true }))
  let interrupted = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130)
      interrupted = true
      progress(bench, `${signal}: stopping everything this benchmark started`, bench)
      void Scope.closeAll()
        .then(removeTmp)
        .finally(() => process.exit(130))
    })
  }
  // a crash outside the parts' own error handling still stops the servers (app/services children included)
  process.on('uncaughtException', (err) => {
    progress(bench, `crashed: ${err.stack ?? err.message}`, bench)
    void Scope.closeAll()
      .then(removeTmp)
      .finally(() => process.exit(1))
  })

  let failure: Error | undefined
  try {
    for (const part of options.parts) {
      const dir = path.join(tmp, part)
      await mkdir(dir, { recursive: true })
      await run(part, dir)
    }
  } catch (err) {
    failure = err as Error
  } finally {
    await Scope.closeAll()
  }
  // after Ctrl-C the signal handler stops everything and exits; the part's failure is just its echo
  if (interrupted) await new Promise(() => undefined)
  if (failure) {
    progress(bench, `failed: ${failure.stack ?? failure.message}\n${options.keep ? `logs and data kept in ${tmp}` : 'run with --keep to keep logs and data'}`, bench)
    await removeTmp()
    process.exit(1)
  }
  if (options.keep) progress(bench, `logs and data kept in ${tmp}`, bench)
  else await removeTmp()
}

/** The machine a result was measured on (each benchmark adds its servers' versions). */
export function machineBasics() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  }
}
