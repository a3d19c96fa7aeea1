import type { EscError } from '@esc/core';
import type { SyncMode, TopicStore } from '@esc/streams';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { type AlertClock, systemClock } from './alert-clock.js';
import { AlertEngine, type AlertTransition, type ObservedEvent, type RuleStatus } from './alert-engine.js';
import { AlertHistory, type AlertRecord } from './alert-history.js';
import { AlertJournal } from './alert-journal.js';
import type { AlertLogger } from './alert-log.js';
import { AlertMetrics } from './alert-metrics.js';
import { type AlertRuleSet, defaultRuleSet, loadRulesFile, type WebhookConfig } from './alert-rules.js';
import { AlertStream } from './alert-stream.js';
import type { RuleEngine, RuleEngineFactory } from './rule-engine.js';
import type { SharedAlertLog } from './shared-alert-log.js';
import { RulesWatcher } from './rules-watcher.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

export interface AlertServiceOptions {
  log: AlertLogger;
  /** Where the alert series go (the HTTP server's /metrics registry). */
  registry: Registry;
  /** `--rules FILE`; reloaded when it changes. Without it, LogStream's two rules. */
  rulesFile?: string;
  /** `--alert-webhook URL`: overrides the rules file's webhook URL (its timeout and retries still apply). */
  webhookUrl?: string;
  /** The store of the durable history (the `alerts` topic); without it, history lives in memory only. */
  store?: TopicStore;
  topic?: string;
  sync?: SyncMode;
  clock?: AlertClock;
  /** Notifications kept for GET /alerts (default 1000). */
  historyLimit?: number;
  webhook?: WebhookSenderOptions;
  /** Builds the rule engine (default: the in-memory AlertEngine; `esc serve --backend`: windows in Redis). */
  engine?: RuleEngineFactory;
  /** A history shared with other servers (`esc serve --backend`), instead of the alerts topic; closed with this. */
  shared?: SharedAlertLog;
}

/** Rule states are pushed to stream clients at most this often, when they changed. */
const RULES_PUSH_MS = 1000;

/**
 * The alert layer of `esc serve`: the engine fed by ingestion, and each notification delivered to every
 * channel: one structured log line (stderr), GET /alerts/stream clients, GET /alerts' history, the `alerts`
 * topic, and the webhook when one is configured.
 */
export class AlertService {
  readonly engine: RuleEngine;
  private readonly history: AlertHistory;
  private readonly stream: AlertStream;
  private readonly metrics: AlertMetrics;
  private readonly journal: AlertJournal | null;
  private webhook: WebhookSender | null = null;
  private readonly watcher: RulesWatcher | null = null;
  private readonly rulesPush: NodeJS.Timeout;
  private lastRulesSent = '';
  private seq: number;

  private constructor(
    private readonly options: AlertServiceOptions,
    ruleSet: AlertRuleSet,
    past: AlertRecord[],
  ) {
    const log = options.log;
    this.metrics = new AlertMetrics(options.registry);
    this.history = new AlertHistory(options.historyLimit ?? 1000);
    for (const record of past) this.history.push(record);
    this.seq = this.history.lastSeq();
    this.stream = new AlertStream((clients, dropped) => {
      this.metrics.streamClients.set(clients);
      if (dropped) {
        this.metrics.streamClientsDropped.inc();
        log.warn({ clients }, 'alert stream client disconnected: it did not read (over 1 MiB unsent)');
      }
    });
    this.journal =
      options.store === undefined
        ? null
        : new AlertJournal(options.store, options.topic ?? 'alerts', options.sync ?? 'none', (record, err) => {
            this.metrics.topicFailures.inc();
            log.error({ alert: record, err: (err as Error).message }, 'alert not recorded in the alerts topic');
          });
    this.configureWebhook(ruleSet.webhook);
    const engine: RuleEngineFactory = options.engine ?? ((rules, clock, emit) => new AlertEngine(rules, clock, emit));
    this.engine = engine(ruleSet.rules, options.clock ?? systemClock, (t) => this.deliver(t));
    // A firing left open by the previous run cannot resolve by itself (its window is gone): close it now. A
    // shared history's firings belong to rules whose windows live on in the backend: they stay.
    const open = new Map<string, AlertRecord>();
    for (const record of options.shared === undefined ? past : []) {
      if (record.status === 'firing') open.set(record.id, record);
      else open.delete(record.id);
    }
    const now = new Date((options.clock ?? systemClock).now()).toISOString();
    for (const record of open.values())
      this.deliver({
        ...record,
        status: 'resolved',
        count: 0,
        peakCount: record.count,
        endsAt: now,
        reason: 'server restarted',
      });
    if (options.rulesFile !== undefined) this.watcher = new RulesWatcher(options.rulesFile, () => this.reload());
    this.rulesPush = setInterval(() => this.pushRules(false), RULES_PUSH_MS).unref();
  }

  /** Loads the rules (a bad file throws, naming the field) and the history from the alerts topic. */
  static async open(options: AlertServiceOptions): Promise<AlertService> {
    const ruleSet = options.rulesFile === undefined ? defaultRuleSet() : loadRulesFile(options.rulesFile);
    const limit = options.historyLimit ?? 1000;
    const shared = options.shared;
    if (shared !== undefined) {
      // Followed before the history is read, so nothing published in between is missed (record() skips repeats).
      const early: AlertRecord[] = [];
      let take = (record: AlertRecord): void => {
        early.push(record);
      };
      await shared.follow((record) => take(record));
      const service = new AlertService(options, ruleSet, await shared.readLast(limit));
      take = (record) => service.record(record);
      for (const record of early) service.record(record);
      return service;
    }
    const past =
      options.store === undefined
        ? []
        : await new AlertJournal(options.store, options.topic ?? 'alerts', 'none', () => {}).readLast(limit);
    return new AlertService(options, ruleSet, past);
  }

  /** Ingestion's hook: called for each event once it is durably appended. */
  observe(event: ObservedEvent): void {
    this.engine.observe(event);
  }

  /** Re-reads the rules file; a bad one keeps the rules in force and logs why. True when reloaded. */
  reload(): boolean {
    const path = this.options.rulesFile;
    if (path === undefined) return false;
    let ruleSet: AlertRuleSet;
    try {
      ruleSet = loadRulesFile(path);
    } catch (err) {
      const line = typeof (err as EscError).describe === 'function' ? (err as EscError).describe() : String(err);
      this.options.log.warn({ rulesFile: path, error: line }, `alert rules not reloaded, the old ones stay: ${line}`);
      return false;
    }
    this.engine.setRules(ruleSet.rules);
    this.configureWebhook(ruleSet.webhook);
    this.options.log.info({ rulesFile: path, rules: ruleSet.rules.map((r) => r.name) }, 'alert rules reloaded');
    this.pushRules(true);
    return true;
  }

  /** Notifications, newest first. */
  alerts(): AlertRecord[] {
    return this.history.newestFirst();
  }

  status(): RuleStatus[] {
    return this.engine.status();
  }

  /** GET /alerts and GET /alerts/stream. */
  registerRoutes(app: FastifyInstance): void {
    app.get<{ Querystring: { limit?: string; status?: string } }>('/alerts', async (request, reply) => {
      const { limit: limitText, status } = request.query;
      const limit = limitText === undefined ? 100 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1)
        return reply
          .code(400)
          .send({ error: 'invalid limit', field: 'limit', message: 'limit must be a positive integer' });
      if (status !== undefined && status !== 'firing' && status !== 'resolved')
        return reply
          .code(400)
          .send({ error: 'invalid status', field: 'status', message: 'status is firing or resolved' });
      const alerts = this.history
        .newestFirst()
        .filter((a) => status === undefined || a.status === status)
        .slice(0, limit);
      return { count: alerts.length, alerts, rules: this.engine.status() };
    });
    app.get<{ Querystring: { lastEventId?: string } }>('/alerts/stream', (request, reply) => {
      const header = request.headers['last-event-id'];
      const lastSeen = Number((Array.isArray(header) ? header[0] : header) ?? request.query.lastEventId ?? Number.NaN);
      reply.hijack();
      const res = reply.raw;
      this.stream.add(res);
      // A reconnecting client gets what it missed, oldest first, from the history.
      if (Number.isInteger(lastSeen))
        for (const record of this.history.newestFirst().reverse())
          if (record.seq > lastSeen) this.stream.send('alert', record, record.seq, res);
      this.stream.send('rules', this.engine.status(), undefined, res);
    });
  }

  /** Stops timers, the watcher, the stream and the webhook; waits for the topic appends. */
  async close(): Promise<void> {
    clearInterval(this.rulesPush);
    this.watcher?.close();
    this.engine.close();
    this.stream.close();
    this.webhook?.close();
    await this.journal?.flushed();
    await this.options.shared?.close();
  }

  private deliver(transition: AlertTransition): void {
    this.metrics.transitions.inc({ rule: transition.rule, status: transition.status });
    const shared = this.options.shared;
    if (shared === undefined) {
      const record: AlertRecord = { ...transition, seq: ++this.seq };
      this.record(record);
      this.announce(record);
      this.journal?.append(record);
    }
    // The shared history numbers it; every server (this one too) records it as it follows the history.
    else
      shared.publish(transition).then(
        (seq) => this.announce({ ...transition, seq }),
        (err: unknown) => {
          this.options.log.error({ alert: transition, err: (err as Error).message }, 'alert not shared');
          this.announce({ ...transition, seq: 0 });
        },
      );
    this.pushRules(true);
  }

  /** Into GET /alerts' history and to the /alerts/stream clients. */
  private record(record: AlertRecord): void {
    if (this.options.shared !== undefined && record.seq <= this.history.lastSeq()) return;
    this.history.push(record);
    this.stream.send('alert', record, record.seq);
  }

  /** The stderr line and the webhook: by the server that delivers the notification. */
  private announce(record: AlertRecord): void {
    const what = `${record.threshold}${record.level ? ` ${record.level}` : ''} in ${record.window}`;
    if (record.status === 'firing')
      this.options.log.warn({ alert: record }, `alert firing: ${record.rule} (${record.count} of ${what})`);
    else this.options.log.info({ alert: record }, `alert resolved: ${record.rule} (${record.count} of ${what})`);
    this.webhook?.send(record);
  }

  private pushRules(force: boolean): void {
    if (this.stream.size === 0) return;
    const status = this.engine.status();
    const text = JSON.stringify(status);
    if (!force && text === this.lastRulesSent) return;
    this.lastRulesSent = text;
    this.stream.send('rules', status);
  }

  private configureWebhook(fromFile: WebhookConfig | undefined): void {
    const url = this.options.webhookUrl ?? fromFile?.url;
    if (url === undefined) {
      this.webhook?.close();
      this.webhook = null;
      return;
    }
    const config: WebhookConfig = { timeout: 5000, retries: 5, ...fromFile, url };
    if (this.webhook === null)
      this.webhook = new WebhookSender(config, this.options.log, this.metrics, this.options.webhook);
    else this.webhook.reconfigure(config);
  }
}
