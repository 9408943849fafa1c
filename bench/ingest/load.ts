/**
 * Drives one part's load: forks the load generators, connects every device, runs warm-up then the
 * steady window, and measures CPU of the named processes over the steady window.
 */
import path from 'node:path'
import { fmt, progress } from './common.ts'
import type { BenchOptions } from './options.ts'
import { cpuSecondsOf, forkModule, machineCpuSeconds, nextMessage, Scope, type Proc } from './processes.ts'
import { nowMs, readRecordFile, type DeviceLogin, type GeneratorCommand, type GeneratorEvent } from './protocol.ts'
import { concatRows, round, type Window } from './stats.ts'

export interface CpuOverWindow {
  /** CPU seconds each process used in the steady window (load generators summed). */
  seconds: Record<string, number | null>
  /** Cores the whole machine kept busy, and how many of them went to processes not listed. */
  machineBusyCores: number | null
  otherProcessesCores: number | null
}

/** CPU microseconds per message of each process over the steady window. */
export function cpuPerMessage(cpu: CpuOverWindow, messages: number): Record<string, number | null> {
  return Object.fromEntries(Object.entries(cpu.seconds).map(([name, s]) => [name, s === null || messages === 0 ? null : round((s * 1e6) / messages, 1)]))
}

export interface LoadResult {
  /** The steady window; the load stops at its end. */
  window: Window
  published: Float64Array
  disconnects: number
  errors: string[]
  cpu: CpuOverWindow
}

export interface Load {
  connectSeconds: number
  /** Runs warm-up + steady window; `watch` names the processes whose CPU to measure. */
  run(watch: Record<string, number>, status: () => string): Promise<LoadResult>
  close(): Promise<void>
}

const GENERATOR_MODULE = path.join(import.meta.dirname, 'load-generator.ts')

interface CpuSnapshot {
  at: number
  /** CPU seconds used so far, per name (several pids summed). */
  used: Record<string, number>
  machineBusy: number
}

function cpuSnapshot(pids: Record<string, number[]>): CpuSnapshot {
  const used: Record<string, number> = {}
  for (const [name, list] of Object.entries(pids)) used[name] = list.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0)
  return { at: nowMs(), used, machineBusy: machineCpuSeconds().busy }
}

function cpuOverWindow(before: CpuSnapshot, after: CpuSnapshot): CpuOverWindow {
  const wallSeconds = (after.at - before.at) / 1000
  const seconds: Record<string, number | null> = {}
  let ours = 0
  for (const name of Object.keys(before.used)) {
    const delta = after.used[name]! - before.used[name]!
    seconds[name] = round(delta)
    if (Number.isFinite(delta)) ours += delta
  }
  // /proc/stat counts every core: busy seconds over wall seconds is cores kept busy
  const machineBusy = (after.machineBusy - before.machineBusy) / wallSeconds
  return { seconds, machineBusyCores: round(machineBusy), otherProcessesCores: round(Math.max(0, machineBusy - ours / wallSeconds)) }
}

export async function prepareLoad(
  scope: Scope,
  options: BenchOptions,
  label: string,
  brokerUrl: string,
  logins: DeviceLogin[],
  dir: string,
): Promise<Load> {
  const generators: { proc: Proc; recordFile: string }[] = []
  for (let g = 0; g < options.generators; g++) {
    const proc = await forkModule(scope, { name: `load generator ${g + 1}`, module: GENERATOR_MODULE, logFile: path.join(dir, `load-generator-${g + 1}.log`) })
    generators.push({ proc, recordFile: path.join(dir, `published-${g + 1}.f64`) })
  }
  const tell = (proc: Proc, command: GeneratorCommand) => proc.child.send(command)

  const connectStarted = nowMs()
  const connected = generators.map(({ proc }) => nextMessage<Extract<GeneratorEvent, { type: 'connected' }>>(proc, 'connected', 120_000))
  generators.forEach(({ proc, recordFile }, g) =>
    tell(proc, {
      type: 'init',
      brokerUrl,
      devices: logins.filter((_, i) => i % options.generators === g),
      rate: options.rate === null ? null : options.rate / options.generators,
      window: options.window,
      recordFile,
    }),
  )
  progress(label, `connecting ${fmt(logins.length)} devices from ${options.generators} load generator process(es)`)
  await Promise.all(connected)
  const connectSeconds = round((nowMs() - connectStarted) / 1000)!
  progress(label, `${fmt(logins.length)} devices connected in ${connectSeconds} s`)

  return {
    connectSeconds,

    async run(watch, status) {
      const at = nowMs() + 200
      const window = { from: at + options.warmupSeconds * 1000, to: at + (options.warmupSeconds + options.seconds) * 1000 }
      const pids: Record<string, number[]> = {
        ...Object.fromEntries(Object.entries(watch).map(([k, v]) => [k, [v]])),
        loadGenerator: generators.map((g) => g.proc.pid),
        // this process: sampling metrics and progress
        benchmark: [process.pid],
      }

      const acked = new Map<Proc, { at: number; acked: number }>()
      const onProgress = (proc: Proc) => (m: GeneratorEvent) => {
        if (m.type === 'progress') acked.set(proc, { at: m.at, acked: m.acked })
      }
      const listeners = generators.map(({ proc }) => {
        const listener = onProgress(proc)
        proc.child.on('message', listener)
        return { proc, listener }
      })
      let lastAcked = { at, acked: 0 }
      const printer = setInterval(() => {
        const t = nowMs()
        const phase =
          t < window.from
            ? `warm-up ${Math.round((t - at) / 1000)}/${options.warmupSeconds} s`
            : t < window.to
              ? `steady ${Math.round((t - window.from) / 1000)}/${options.seconds} s`
              : 'waiting for PUBACKs'
        const total = [...acked.values()].reduce((sum, p) => sum + p.acked, 0)
        const rate = ((total - lastAcked.acked) * 1000) / (t - lastAcked.at)
        lastAcked = { at: t, acked: total }
        progress(label, `${phase} · acked ${fmt(rate)}/s (${fmt(total)} in all) · ${status()}`)
      }, 3000)

      let before: CpuSnapshot | undefined
      let after: CpuSnapshot | undefined
      const timers = [
        setTimeout(() => (before = cpuSnapshot(pids)), window.from - nowMs()),
        setTimeout(() => (after = cpuSnapshot(pids)), window.to - nowMs()),
      ]
      try {
        const done = generators.map(({ proc }) => nextMessage<Extract<GeneratorEvent, { type: 'done' }>>(proc, 'done', (window.to - nowMs()) + 60_000))
        for (const { proc } of generators) tell(proc, { type: 'start', at, stopAt: window.to })
        const results = await Promise.all(done)
        const published = concatRows(await Promise.all(generators.map((g) => readRecordFile(g.recordFile))))
        if (!before || !after) throw new Error('the load ended before its steady window did')
        return {
          window,
          published,
          disconnects: results.reduce((n, r) => n + r.disconnects, 0),
          errors: [...new Set(results.flatMap((r) => r.errors))],
          cpu: cpuOverWindow(before, after),
        }
      } finally {
        clearInterval(printer)
        timers.forEach(clearTimeout)
        for (const { proc, listener } of listeners) proc.child.off('message', listener)
      }
    },

    async close() {
      for (const { proc } of generators) {
        if (proc.running()) tell(proc, { type: 'close' })
      }
      // each disconnects its devices and exits; one that does not is stopped
      await Promise.all(
        generators.map(async ({ proc }) => {
          if (!(await proc.exited(15_000))) await proc.stop(5_000)
        }),
      )
    },
  }
}
