/**
 * Prometheus metrics of one Lookout process. A registry per instance (not prom-client's global one)
 * so several instances can live in one test process. Labels never carry personal data.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry()
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'lookout_process_' })
  const registers = [registry]
  return {
    registry,
    mqttConnections: new Gauge({ name: 'lookout_mqtt_connections', help: 'Authenticated MQTT connections open now', registers }),
    mqttAuthFailures: new Counter({
      name: 'lookout_mqtt_auth_failures_total',
      help: 'MQTT connections refused at authentication, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    ingestAccepted: new Counter({
      name: 'lookout_ingest_accepted_total',
      help: 'Messages durably accepted, by channel',
      labelNames: ['channel'] as const,
      registers,
    }),
    ingestRejected: new Counter({
      name: 'lookout_ingest_rejected_total',
      help: 'Messages rejected and not stored, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    ingestUnmappedFields: new Counter({
      name: 'lookout_ingest_unmapped_fields_total',
      help: 'Vendor fields with no canonical name, kept as text in telemetry_unmapped, by channel',
      labelNames: ['channel'] as const,
      registers,
    }),
    mqttRefusedPackets: new Counter({
      name: 'lookout_mqtt_refused_packets_total',
      help: 'MQTT connections closed for a packet they sent, by reason (packet_too_large, malformed_length, protocol_level: before authentication; packet_id_zero)',
      labelNames: ['reason'] as const,
      registers,
    }),
    ingestEnqueueSeconds: new Histogram({
      name: 'lookout_ingest_enqueue_seconds',
      help: 'Time from receipt of a message to its durable enqueue (before the MQTT acknowledgement)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    storePointsWritten: new Counter({ name: 'lookout_store_points_written_total', help: 'Points written to InfluxDB', registers }),
    storeWriteFailures: new Counter({
      name: 'lookout_store_write_failures_total',
      help: 'Failed InfluxDB batch writes, by whether they will be retried',
      labelNames: ['retryable'] as const,
      registers,
    }),
    spoolPoints: new Gauge({ name: 'lookout_spool_points', help: 'Readings waiting for InfluxDB in the durable spool (the store queue)', registers }),
    spoolCapacity: new Gauge({ name: 'lookout_spool_capacity_points', help: 'Readings the spool may hold before devices are slowed down', registers }),
    spoolFull: new Gauge({ name: 'lookout_spool_full', help: '1 while the spool is full and telemetry is held back at the devices', registers }),
    ingestHeld: new Counter({
      name: 'lookout_ingest_held_total',
      help: 'Messages whose acknowledgement waited, by cause (spool_full, rate_limited, redis_unavailable)',
      labelNames: ['cause'] as const,
      registers,
    }),
    lastSeenFlushed: new Counter({ name: 'lookout_last_seen_flushed_total', help: 'Device last-seen times written to Redis (one write per device per flush, not per message)', registers }),
    rulesEvaluated: new Counter({ name: 'lookout_rules_records_evaluated_total', help: 'Records evaluated by the rule workers', registers }),
    alertsRaised: new Counter({
      name: 'lookout_alerts_raised_total',
      help: 'Alerts raised, by rule and priority',
      labelNames: ['rule', 'priority'] as const,
      registers,
    }),
    alertsResolved: new Counter({
      name: 'lookout_alerts_resolved_total',
      help: 'Alerts resolved because their rule condition cleared, by rule',
      labelNames: ['rule'] as const,
      registers,
    }),
    rulesTimersFired: new Counter({ name: 'lookout_rules_timers_fired_total', help: 'Rule timers (absence, sustained, sequence, windows) that came due and were evaluated', registers }),
    rulesTimerLateness: new Histogram({
      name: 'lookout_rules_timer_lateness_seconds',
      help: 'How late a rule timer was evaluated after its due time (at least LOOKOUT_RULE_TIMER_GRACE_MS by design)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.1, 1.25, 1.5, 1.75, 2, 3, 5, 10, 30, 60],
      registers,
    }),
    rulesFailures: new Counter({
      name: 'lookout_rules_failures_total',
      help: 'Rule evaluations that failed (a kind threw, or a rule set could not be resolved for a device), by code',
      labelNames: ['code'] as const,
      registers,
    }),
    rulesHistory: new Counter({
      name: 'lookout_rules_history_reads_total',
      help: 'Reads of a starting rule\'s history from InfluxDB (personal baselines), by outcome (loaded, applied, retried, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    rulesSkipped: new Counter({
      name: 'lookout_rules_records_skipped_total',
      help: 'Records not evaluated, by reason (unknown_device, tenant_mismatch, already_applied)',
      labelNames: ['reason'] as const,
      registers,
    }),
    alertsAcknowledged: new Counter({ name: 'lookout_alerts_acknowledged_total', help: 'Alerts acknowledged', registers }),
    alertRaiseToAckSeconds: new Histogram({
      name: 'lookout_alert_raise_to_ack_seconds',
      help: 'Time from an alert being raised to its acknowledgement (QSF: 60 s / 180 s)',
      buckets: [5, 15, 30, 60, 120, 180, 300, 600],
      registers,
    }),
    sseClients: new Gauge({ name: 'lookout_alert_stream_clients', help: 'Open alert stream (SSE) connections', registers }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
