/**
 * Identifier grammar shared by the registry, topics and keys. Ids appear in MQTT topics, Redis keys,
 * InfluxDB tags and URLs, so they are restricted to characters that need no escaping in any of them
 * (no '/', '+', '#', ':', spaces or commas).
 */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
export const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export const TENANT_ID_RULE = 'lower-case letters, digits and "-", starting with a letter or digit, at most 63 characters'
export const DEVICE_ID_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters'
