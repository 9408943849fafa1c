/**
 * Why the broker refuses a connection at CONNECT: the `reason` label of
 * `lookout_mqtt_auth_failures_total`, listed with their CONNACK return codes in docs/errors.md.
 */
export const CONNECT_REFUSAL_REASONS = [
  'address_rate_limited',
  'client_id_empty_persistent',
  'keepalive_refused',
  'missing_credentials',
  'unknown_device',
  'unknown_integration',
  'bad_password',
  'client_id_not_owned',
  'connect_rate_limited',
  'client_id_in_use',
  'registry_unavailable',
] as const

export type ConnectRefusalReason = (typeof CONNECT_REFUSAL_REASONS)[number]
