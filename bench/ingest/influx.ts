/**
 * What the benchmark asks InfluxDB (v1 HTTP API): how many telemetry points a tenant has, and
 * every (device, seq) stored, for the exact loss check.
 */
import { createInfluxClient, type InfluxClient } from '../../lib/influx.ts'

export const BENCH_TENANT = 'bench'

export function influxClient(url: string, database: string): InfluxClient {
  return createInfluxClient({ url, database, timeoutMs: 30_000 })
}

/** Points of the bench tenant's telemetry stored so far. */
export async function countStored(influx: InfluxClient): Promise<number> {
  const series = await influx.query(`SELECT count(seq) FROM telemetry WHERE "tenant"::tag = '${BENCH_TENANT}'`)
  return Number(series[0]?.values[0]?.[1] ?? 0)
}

interface ChunkedSeries {
  tags?: { device?: string }
  values?: [number, number][]
}

/**
 * Every stored (device index, seq) of the bench tenant. Chunked, so that InfluxDB streams the
 * points instead of building one response (and no row limit applies).
 */
export async function storedPairs(url: string, database: string, devicePrefix: string): Promise<[number, number][]> {
  const params = new URLSearchParams({
    db: database,
    q: `SELECT seq FROM telemetry WHERE "tenant"::tag = '${BENCH_TENANT}' GROUP BY "device"::tag`,
    epoch: 'ms',
    chunked: 'true',
    chunk_size: '50000',
  })
  const res = await fetch(`${url}/query?${params}`, { signal: AbortSignal.timeout(120_000) })
  const text = await res.text()
  if (!res.ok) throw new Error(`InfluxDB query failed (HTTP ${res.status}): ${text.slice(0, 200)}`)
  const pairs: [number, number][] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    const chunk = JSON.parse(line) as { results?: { series?: ChunkedSeries[]; error?: string }[]; error?: string }
    const error = chunk.error ?? chunk.results?.[0]?.error
    if (error) throw new Error(`InfluxDB query failed: ${error}`)
    for (const series of chunk.results?.[0]?.series ?? []) {
      const device = series.tags?.device ?? ''
      if (!device.startsWith(devicePrefix)) continue
      const index = Number(device.slice(devicePrefix.length))
      for (const [, seq] of series.values ?? []) pairs.push([index, seq])
    }
  }
  return pairs
}
