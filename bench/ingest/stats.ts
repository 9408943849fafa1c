/**
 * The arithmetic of the benchmark: percentiles, rates over the steady window, publish-to-stored
 * latency from cumulative curves, and the exact loss check on (device, seq) pairs.
 *
 * `published` is a Float64Array of rows (device index, seq, sentAt, ackAt), see ./protocol.ts.
 */
import { PUBLISH_ROW, RECEIPT_ROW } from './protocol.ts'

export interface Window {
  from: number
  to: number
}

export interface Percentiles {
  count: number
  p50: number
  p99: number
  max: number
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null)

export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
  return { count: sorted.length, p50: round(at(50))!, p99: round(at(99))!, max: round(sorted[sorted.length - 1]!)! }
}

export const perSecond = (count: number, window: Window) => Math.round(count / ((window.to - window.from) / 1000))

export function concatRows(parts: Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    all.set(part, offset)
    offset += part.length
  }
  return all
}

export function publishSummary(published: Float64Array, window: Window) {
  let sent = 0
  let acked = 0
  let ackedInWindow = 0
  const puback: number[] = []
  const ackedPerDevice = new Map<number, number>()
  for (let i = 0; i < published.length; i += PUBLISH_ROW) {
    const sentAt = published[i + 2]!
    const ackAt = published[i + 3]!
    sent++
    if (Number.isNaN(ackAt)) continue
    acked++
    ackedPerDevice.set(published[i]!, (ackedPerDevice.get(published[i]!) ?? 0) + 1)
    if (ackAt >= window.from && ackAt < window.to) ackedInWindow++
    if (sentAt >= window.from && sentAt < window.to) puback.push(ackAt - sentAt)
  }
  const perDevice = [...ackedPerDevice.values()].sort((a, b) => a - b)
  return {
    sent,
    acked,
    unacked: sent - acked,
    /** PUBACKed messages per device: how evenly the load was spread. */
    ackedPerDevice: { min: perDevice[0] ?? 0, median: perDevice[Math.floor(perDevice.length / 2)] ?? 0, max: perDevice.at(-1) ?? 0 },
    ackedPerSecond: perSecond(ackedInWindow, window),
    publishToPubackMs: percentiles(puback),
  }
}

/** Samples of a cumulative count (e.g. points written) over time; times ascending. */
export interface Curve {
  t: number[]
  n: number[]
}

/** The count at time `t`, interpolated linearly between samples. */
export function countAt(curve: Curve, t: number): number {
  const { t: ts, n } = curve
  if (ts.length === 0) return NaN
  if (t <= ts[0]!) return n[0]!
  for (let i = 1; i < ts.length; i++) {
    if (ts[i]! >= t) return n[i - 1]! + ((n[i]! - n[i - 1]!) * (t - ts[i - 1]!)) / (ts[i]! - ts[i - 1]!)
  }
  return n[n.length - 1]!
}

export const pairKey = (device: number, seq: number) => device * 2 ** 32 + seq
export const pairKeys = (pairs: [number, number][]) => new Set(pairs.map(([device, seq]) => pairKey(device, seq)))

/**
 * Publish-to-stored latency, FIFO approximation. Of the messages that were stored (`storedKeys`,
 * from pairKey), the k-th to be acknowledged is taken to be the k-th to be stored, and its storage
 * time is when the stored curve reaches k, interpolated between samples (so the error is within
 * one sampling interval). Only messages sent in the window count.
 */
export function fifoStoredLatencies(published: Float64Array, stored: Curve, window: Window, storedKeys: Set<number>): number[] {
  const acks: { sentAt: number; ackAt: number }[] = []
  for (let i = 0; i < published.length; i += PUBLISH_ROW) {
    const ackAt = published[i + 3]!
    if (!Number.isNaN(ackAt) && storedKeys.has(pairKey(published[i]!, published[i + 1]!))) acks.push({ sentAt: published[i + 2]!, ackAt })
  }
  acks.sort((a, b) => a.ackAt - b.ackAt)
  const latencies: number[] = []
  let s = 0
  for (let k = 1; k <= acks.length; k++) {
    // first sample at which the curve has reached k
    while (s < stored.n.length && stored.n[s]! < k) s++
    if (s === stored.n.length) break
    const { sentAt } = acks[k - 1]!
    if (sentAt < window.from || sentAt >= window.to) continue
    const storedAt =
      s === 0 ? stored.t[0]! : stored.t[s - 1]! + ((k - stored.n[s - 1]!) / (stored.n[s]! - stored.n[s - 1]!)) * (stored.t[s]! - stored.t[s - 1]!)
    latencies.push(Math.max(0, storedAt - sentAt))
  }
  return latencies
}

/** Per device, one flag byte per seq: ACKED and/or FOUND. */
const ACKED = 1
const FOUND = 2

export interface LossReport {
  acked: number
  /** Points found for these devices (duplicates included). */
  foundPoints: number
  foundDistinct: number
  /** Acknowledged, not found: the figure that must be 0. */
  lost: number
  /** The same (device, seq) found more than once. */
  duplicates: number
  /** Found though the publisher never saw its PUBACK (allowed: at-least-once). */
  foundNotAcked: number
  /** Up to 10 lost messages as "device#seq". */
  lostSample: string[]
}

/**
 * The exact loss check: every acknowledged (device, seq) must appear among what was found.
 * `found` yields [device index, seq] pairs (from InfluxDB or from a subscriber).
 */
export function checkLoss(published: Float64Array, found: Iterable<[number, number]>, deviceId: (index: number) => string): LossReport {
  const maxSeq = new Map<number, number>()
  for (let i = 0; i < published.length; i += PUBLISH_ROW) {
    const d = published[i]!
    maxSeq.set(d, Math.max(maxSeq.get(d) ?? -1, published[i + 1]!))
  }
  const flags = new Map<number, Uint8Array>()
  for (const [d, max] of maxSeq) flags.set(d, new Uint8Array(max + 1))
  let acked = 0
  for (let i = 0; i < published.length; i += PUBLISH_ROW) {
    if (Number.isNaN(published[i + 3]!)) continue
    const deviceFlags = flags.get(published[i]!)!
    const seq = published[i + 1]!
    deviceFlags[seq] = deviceFlags[seq]! | ACKED
    acked++
  }
  let foundPoints = 0
  let foundDistinct = 0
  let duplicates = 0
  let foundNotAcked = 0
  for (const [d, seq] of found) {
    foundPoints++
    const deviceFlags = flags.get(d)
    if (!deviceFlags || seq >= deviceFlags.length) continue // never published: not ours
    const flag = deviceFlags[seq]!
    if (flag & FOUND) {
      duplicates++
      continue
    }
    deviceFlags[seq] = flag | FOUND
    foundDistinct++
    if (!(flag & ACKED)) foundNotAcked++
  }
  let lost = 0
  const lostSample: string[] = []
  for (const [d, deviceFlags] of flags) {
    for (let seq = 0; seq < deviceFlags.length; seq++) {
      if (deviceFlags[seq] !== ACKED) continue
      lost++
      if (lostSample.length < 10) lostSample.push(`${deviceId(d)}#${seq}`)
    }
  }
  return { acked, foundPoints, foundDistinct, lost, duplicates, foundNotAcked, lostSample }
}

/** [device index, seq] pairs of a subscriber's receipt rows. */
export function* receiptPairs(receipts: Float64Array): Generator<[number, number]> {
  for (let i = 0; i < receipts.length; i += RECEIPT_ROW) yield [receipts[i]!, receipts[i + 1]!]
}

/**
 * Exact publish-to-delivered latencies (first delivery of each message sent in the window) and the
 * delivery rate: distinct messages first received in the window, per second.
 */
export function deliverySummary(published: Float64Array, receipts: Float64Array, window: Window) {
  const sentAt = new Map<number, number>()
  const key = pairKey
  for (let i = 0; i < published.length; i += PUBLISH_ROW) sentAt.set(key(published[i]!, published[i + 1]!), published[i + 2]!)
  const seen = new Set<number>()
  const latencies: number[] = []
  let inWindow = 0
  for (let i = 0; i < receipts.length; i += RECEIPT_ROW) {
    const k = key(receipts[i]!, receipts[i + 1]!)
    if (seen.has(k)) continue
    seen.add(k)
    const receivedAt = receipts[i + 2]!
    if (receivedAt >= window.from && receivedAt < window.to) inWindow++
    const sent = sentAt.get(k)
    if (sent !== undefined && sent >= window.from && sent < window.to) latencies.push(receivedAt - sent)
  }
  return { deliveredInWindow: inWindow, deliveredPerSecond: perSecond(inWindow, window), publishToDeliveredMs: percentiles(latencies) }
}
