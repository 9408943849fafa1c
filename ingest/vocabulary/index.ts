/** The one vocabulary: vendor fields, SenML units and SCAIP codes → canonical metrics and events (docs/vocabulary.md). */
export { METRICS, METRIC_NAMES, isMetricName, type MetricName, type MetricDefinition, type MetricKind } from './metrics.ts'
export { FIELD_ALIASES, MODEL_OVERRIDES, CONTEXT_METRICS, fieldMapping, type FieldMapping, type FieldContext } from './fields.ts'
export { SENML_UNITS, convertSenmlValue, type SenmlUnit } from './senml-units.ts'
export { SCAIP_STATUS_CODES, SCAIP_DEVICE_TYPES, SCAIP_MESSAGE_TYPES, scaipStatusEvent } from './scaip.ts'
export { CHIRPSTACK_LOG_CODES, chirpstackLogEvent } from './chirpstack-log-codes.ts'
export { normalizeFields, normalizeEntries, type NormalizeOptions, type FieldEntry } from './normalize.ts'
export { renderVocabularyDoc } from './doc.ts'
