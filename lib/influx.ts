/**
 * A small InfluxDB client for the v1 HTTP API (`/ping`, `/write` with line protocol, `/query` with
 * InfluxQL), which InfluxDB 1.x serves natively and 2.x/3.x serve for compatibility.
 * See docs/decisions/0002-influxdb-v1-http-client.md for why this is not @influxdata/influxdb-client.
 *
 * Retry contract: a 400 or 413 means the batch itself is bad and is never retried; every other
 * failure (network, timeout, 5xx, 401/403/404 while an operator fixes credentials or the database)
 * is retryable, because dropping readings is worse than waiting.
 */
import { LookoutError } from './errors.ts'

export interface InfluxOptions {
  url: string
  database: string
  username?: string
  password?: string
  token?: string
  timeoutMs?: number
}

export interface InfluxSeries {
  name: string
  tags?: Record<string, string>
  columns: string[]
  values: unknown[][]
}

export interface InfluxClient {
  readonly database: string
  ping(): Promise<boolean>
  ensureDatabase(): Promise<void>
  write(lines: string): Promise<void>
  query(influxql: string): Promise<InfluxSeries[]>
  /** Several read statements in one request; the series of each, in order. */
  queryAll(statements: readonly string[]): Promise<InfluxSeries[][]>
}

export function createInfluxClient(options: InfluxOptions): InfluxClient {
  const base = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 10_000
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Token ${options.token}`
  else if (options.username) {
    headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`
  }

  async function request(pathAndQuery: string, init: RequestInit, code: 'INFLUX_WRITE_FAILED' | 'INFLUX_QUERY_FAILED') {
    try {
      return await fetch(`${base}${pathAndQuery}`, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (cause) {
      throw new LookoutError(code, `InfluxDB at ${base} unreachable: ${(cause as Error).message}`, { cause, retryable: true })
    }
  }

  /** The results of each statement of `influxql` (statements separated by ";"), in order. */
  async function runQueries(influxql: string, method: 'GET' | 'POST'): Promise<InfluxSeries[][]> {
    const params = new URLSearchParams({ db: options.database, q: influxql, epoch: 'ms' })
    // long multi-statement reads go in the body, not the URL
    const res =
      method === 'GET'
        ? await request(`/query?${params}`, { method }, 'INFLUX_QUERY_FAILED')
        : await request('/query', { method, body: params, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'INFLUX_QUERY_FAILED')
    const text = await res.text()
    if (!res.ok) throw new LookoutError('INFLUX_QUERY_FAILED', `InfluxDB query failed (HTTP ${res.status}): ${text.slice(0, 200)}`, { retryable: res.status >= 500 || res.status === 401 || res.status === 403 || res.status === 404 })
    const body = JSON.parse(text) as { results?: { series?: InfluxSeries[]; error?: string }[]; error?: string }
    const error = body.error ?? body.results?.find((r) => r.error !== undefined)?.error
    if (error) throw new LookoutError('INFLUX_QUERY_FAILED', `InfluxDB query failed: ${error}`, { retryable: false })
    return (body.results ?? []).map((r) => r.series ?? [])
  }

  async function runQuery(influxql: string, method: 'GET' | 'POST'): Promise<InfluxSeries[]> {
    return (await runQueries(influxql, method))[0] ?? []
  }

  return {
    database: options.database,

    async ping() {
      try {
        const res = await fetch(`${base}/ping`, { headers, signal: AbortSignal.timeout(Math.min(timeoutMs, 2000)) })
        await res.arrayBuffer()
        return res.status === 204 || res.ok
      } catch {
        return false
      }
    },

    async ensureDatabase() {
      await runQuery(`CREATE DATABASE "${options.database}"`, 'POST')
    },

    async write(lines: string) {
      const params = new URLSearchParams({ db: options.database, precision: 'ms' })
      const res = await request(`/write?${params}`, { method: 'POST', body: lines, headers: { 'content-type': 'text/plain' } }, 'INFLUX_WRITE_FAILED')
      if (res.status === 204 || res.ok) {
        await res.arrayBuffer()
        return
      }
      const text = (await res.text()).slice(0, 300)
      if (res.status === 400 || res.status === 413) {
        throw new LookoutError('INFLUX_WRITE_REJECTED', `InfluxDB rejected the batch (HTTP ${res.status}): ${text}`)
      }
      throw new LookoutError('INFLUX_WRITE_FAILED', `InfluxDB write failed (HTTP ${res.status}): ${text}`)
    },

    query(influxql: string) {
      return runQuery(influxql, 'GET')
    },

    async queryAll(statements: readonly string[]) {
      if (statements.length === 0) return []
      return runQueries(statements.join(';\n'), 'POST')
    },
  }
}
