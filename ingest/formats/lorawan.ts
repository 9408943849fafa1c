/**
 * What ChirpStack and The Things Stack uplinks have in common, and helpers both parsers use.
 * Both network servers omit fields whose value is the protobuf default (0, false, "") from their
 * JSON (docs/domain.md C), so fPort and fCnt default to 0 and a missing payload is empty.
 */
import { z } from 'zod'

/** One LoRaWAN uplink, whichever network server delivered it. */
export interface LorawanUplink {
  /** DevEUI, 16 lower-case hex digits. */
  devEui: string
  /** When the network server received it (else when Lookout did), epoch ms. */
  ts: number
  fPort: number
  fCnt: number
  /** The application payload (FRMPayload), decrypted. */
  bytes: number[]
  /** The network server's dedupe id: ChirpStack deduplicationId, TTS `as:up:` correlation id. */
  dedupeId: string
}

/** LoRaWAN FRMPayload is at most 242 bytes at the highest data rates; 255 leaves room for none. */
export const MAX_FRM_PAYLOAD_BYTES = 255

export const devEuiSchema = z.string().regex(/^[0-9A-Fa-f]{16}$/, 'must be a DevEUI: 16 hex digits')
export const base64Schema = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64')
export const isoTimeSchema = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time with a time zone' })
export const fPortSchema = z.number().int().min(0).max(255).default(0)
export const fCntSchema = z.number().int().min(0).max(0xffff_ffff).default(0)
export const objectSchema = z.record(z.string(), z.unknown())

/** Base64 → bytes (already validated by base64Schema); undefined when longer than the limit. */
export function decodeBase64(data: string | undefined): number[] | undefined {
  if (data === undefined) return []
  const bytes = [...Buffer.from(data, 'base64')]
  return bytes.length > MAX_FRM_PAYLOAD_BYTES ? undefined : bytes
}

/** A zod error as "path: message; …" (at most three issues); zod's messages do not quote values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
}
