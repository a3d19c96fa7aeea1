import { Counter, Gauge, type Registry } from 'prom-client';

/** The alert layer's series in /metrics (one registry with the rest of the HTTP server's). */
export class AlertMetrics {
  readonly transitions: Counter<'rule' | 'status'>;
  readonly webhookDeliveries: Counter;
  readonly webhookFailures: Counter;
  readonly webhookDropped: Counter<'reason'>;
  readonly webhookQueueDepth: Gauge;
  readonly topicFailures: Counter;
  readonly streamClients: Gauge;
  readonly streamClientsDropped: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.transitions = new Counter({
      name: 'esc_alerts_total',
      help: 'Alert notifications, by rule and status (firing, resolved)',
      labelNames: ['rule', 'status'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'esc_alert_webhook_deliveries_total',
      help: 'Alert notifications the webhook accepted (2xx)',
      registers,
    });
    this.webhookFailures = new Counter({
      name: 'esc_alert_webhook_failures_total',
      help: 'Failed webhook attempts (error, timeout or non-2xx status), retries included',
      registers,
    });
    this.webhookDropped = new Counter({
      name: 'esc_alert_webhook_dropped_total',
      help: 'Alert notifications the webhook never got: retries exhausted, or the queue overflowed (each one logged)',
      labelNames: ['reason'],
      registers,
    });
    this.webhookQueueDepth = new Gauge({
      name: 'esc_alert_webhook_queue_depth',
      help: 'Alert notifications waiting for the webhook',
      registers,
    });
    this.topicFailures = new Counter({
      name: 'esc_alert_topic_failures_total',
      help: 'Alert records that could not be appended to the alerts topic (each one logged)',
      registers,
    });
    this.streamClients = new Gauge({
      name: 'esc_alert_stream_clients',
      help: 'Clients of GET /alerts/stream',
      registers,
    });
    this.streamClientsDropped = new Counter({
      name: 'esc_alert_stream_clients_dropped_total',
      help: 'GET /alerts/stream clients disconnected for not reading',
      registers,
    });
  }
}
