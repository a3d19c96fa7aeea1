import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStreams, type TopicStore } from '@esc/streams';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertRecord } from './alert-history.js';
import { AlertService, type AlertServiceOptions } from './alert-service.js';
import { until } from '@esc/test-fixtures';

let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'esc-alerts-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A logger that keeps its lines. */
function memoryLog() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, fields, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

async function open(options: Partial<AlertServiceOptions> = {}) {
  const log = memoryLog();
  const registry = new Registry();
  const service = await AlertService.open({ log, registry, ...options });
  cleanups.push(() => service.close());
  return { service, log, registry };
}

let n = 0;
function errors(service: AlertService, count: number, level = 'ERROR') {
  for (let i = 0; i < count; i++)
    service.observe({ id: `e${++n}`, level, service: 'api', message: 'boom', receivedAt: Date.now() });
}

async function metric(registry: Registry, name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)!.get()).values;
  return values.reduce((sum, v) => sum + v.value, 0);
}

function storeIn(path: string): TopicStore {
  const store = openStreams(path, { maintenanceIntervalMs: Number.POSITIVE_INFINITY });
  cleanups.push(() => store.close());
  return store;
}

describe('AlertService', () => {
  it('delivers a firing to the log (one line), the history, /metrics and the alerts topic; history survives a restart', async () => {
    const store = storeIn(join(dir, 'streams'));
    const first = await open({ store });
    errors(first.service, 10);
    expect(first.service.alerts()).toMatchObject([{ seq: 1, rule: 'high-error-rate', status: 'firing', count: 10 }]);
    expect(first.log.lines.filter((l) => l.level === 'warn')).toMatchObject([
      {
        message: 'alert firing: high-error-rate (10 of 10 ERROR in 1m)',
        fields: { alert: { seq: 1, status: 'firing' } },
      },
    ]);
    expect(await metric(first.registry, 'esc_alerts_total')).toBe(1);
    await first.service.close();
    expect(
      (await store.readAll('alerts', 0)).map((r) => [r.key?.toString(), JSON.parse(r.value!.toString()).seq]),
    ).toEqual([['high-error-rate', 1]]);

    // The next run reads its history back, and closes the firing it cannot resolve (its window is gone).
    const second = await open({ store });
    expect(second.service.alerts()).toMatchObject([
      { seq: 2, status: 'resolved', reason: 'server restarted', id: first.service.alerts()[0]!.id },
      { seq: 1, status: 'firing' },
    ]);
    errors(second.service, 3, 'CRITICAL');
    expect(second.service.alerts().map((a) => `${a.seq} ${a.rule} ${a.status}`)).toEqual([
      '3 critical-burst firing',
      '2 high-error-rate resolved',
      '1 high-error-rate firing',
    ]);
  });

  it('a webhook that fails, then recovers: the alert arrives, the failures are counted', async () => {
    const received: AlertRecord[] = [];
    let failuresLeft = 3;
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        if (failuresLeft-- > 0) {
          res.writeHead(503).end('not yet');
          return;
        }
        received.push(JSON.parse(body) as AlertRecord);
        res.writeHead(204).end();
      });
    });
    await listen(receiver);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const { service, registry, log } = await open({ webhookUrl: url, webhook: { backoffMs: 20 } });
    errors(service, 10);
    await until(async () => (await metric(registry, 'esc_alert_webhook_deliveries_total')) === 1);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ rule: 'high-error-rate', status: 'firing', count: 10, seq: 1 });
    expect(await metric(registry, 'esc_alert_webhook_failures_total')).toBe(3);
    expect(await metric(registry, 'esc_alert_webhook_deliveries_total')).toBe(1);
    expect(await metric(registry, 'esc_alert_webhook_dropped_total')).toBe(0);
    expect(log.lines.filter((l) => l.message === 'alert webhook attempt failed')).toHaveLength(3);
  });

  it('a webhook that never answers in time: every attempt times out, the notification is given up, logged and counted', async () => {
    const receiver = createServer(() => {
      // Never replies.
    });
    await listen(receiver);
    const rules = join(dir, 'rules.json');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    writeFileSync(
      rules,
      JSON.stringify({
        webhook: { url, timeout: '50ms', retries: 2 },
        rules: [{ name: 'any', threshold: 1, window: '1s' }],
      }),
    );
    const { service, registry, log } = await open({ rulesFile: rules, webhook: { backoffMs: 10 } });
    const started = Date.now();
    errors(service, 1);
    // Ingestion was not held up by the dead receiver: less than its three attempts' 150 ms of timeouts (a margin
    // for a loaded machine's pauses, which a bound of one attempt's 50 ms had not).
    expect(Date.now() - started).toBeLessThan(150);
    await until(() => log.lines.find((l) => l.message === 'alert webhook gave up after 3 attempts'));
    expect(await metric(registry, 'esc_alert_webhook_failures_total')).toBe(3);
    expect(await metric(registry, 'esc_alert_webhook_dropped_total')).toBe(1);
  });

  it('a full webhook queue pushes out the oldest notification, logged and counted', async () => {
    const receiver = createServer(() => {});
    await listen(receiver);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'every', threshold: 1, window: '1ms' }] }));
    const { service, registry, log } = await open({ rulesFile: rules, webhookUrl: url, webhook: { queueLimit: 2 } });
    for (let i = 0; i < 3; i++) {
      errors(service, 1);
      await new Promise((r) => setTimeout(r, 5));
    }
    // 3 firings and their resolutions: one in flight, two waiting, the rest pushed out.
    await until(() => service.alerts().length === 6);
    expect(await metric(registry, 'esc_alert_webhook_dropped_total')).toBe(3);
    expect(log.lines.filter((l) => l.message.startsWith('alert webhook queue full'))).toHaveLength(3);
  });

  it('reloads the rules file when it changes; a bad file keeps the old rules and logs why', async () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'one', level: 'ERROR', threshold: 2, window: '1m' }] }));
    const { service, log } = await open({ rulesFile: rules });
    expect(service.status().map((s) => s.rule)).toEqual(['one']);
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'two', level: 'ERROR', threshold: 2, window: 'soon' }] }));
    const warning = await until(() => log.lines.find((l) => l.message.startsWith('alert rules not reloaded')));
    expect(warning.message).toBe(
      `alert rules not reloaded, the old ones stay: ${rules}: invalid at rules.0.window: invalid duration 'soon' (e.g. 500ms, 30s, 1m, 2h)`,
    );
    expect(service.status().map((s) => s.rule)).toEqual(['one']);
    // An editor's save: a new file renamed over the old one.
    writeFileSync(
      `${rules}.tmp`,
      JSON.stringify({ rules: [{ name: 'two', level: 'ERROR', threshold: 2, window: '1m' }] }),
    );
    const { renameSync } = await import('node:fs');
    renameSync(`${rules}.tmp`, rules);
    await until(() => service.status()[0]?.rule === 'two');
    errors(service, 2);
    expect(service.alerts()).toMatchObject([{ rule: 'two', status: 'firing' }]);
  });

  it('a bad rules file at start is an error naming the field', async () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'x', threshold: -1, window: '1m' }] }));
    await expect(open({ rulesFile: rules })).rejects.toThrow(/invalid at rules\.0\.threshold/);
  });

  it('GET /alerts: history newest first with the rule states; GET /alerts/stream: live events, catch-up by Last-Event-ID', async () => {
    const { service } = await open();
    const app = await serve(service);
    errors(service, 10);
    const res = await app.inject({ url: '/alerts?limit=5' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ count: 1, alerts: [{ seq: 1, status: 'firing' }] });
    expect(body.rules).toMatchObject([
      { rule: 'high-error-rate', state: 'firing', count: 10, threshold: 10, window: '1m' },
      { rule: 'critical-burst', state: 'inactive', count: 0, threshold: 3, window: '30s' },
    ]);
    expect((await app.inject({ url: '/alerts?limit=0' })).json()).toMatchObject({ field: 'limit' });
    expect((await app.inject({ url: '/alerts?status=open' })).statusCode).toBe(400);

    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const events = await sseEvents(`${address}/alerts/stream`, { 'last-event-id': '0' });
    // Caught up from the history, then the rule states.
    expect(await events.next()).toMatchObject({ event: 'alert', id: '1', data: { seq: 1, status: 'firing' } });
    expect(await events.next()).toMatchObject({ event: 'rules' });
    errors(service, 3, 'CRITICAL');
    expect(await events.next()).toMatchObject({
      event: 'alert',
      id: '2',
      data: { rule: 'critical-burst', status: 'firing' },
    });
  });
});

async function listen(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

async function serve(service: AlertService): Promise<FastifyInstance> {
  const app = Fastify();
  service.registerRoutes(app);
  cleanups.push(() => app.close());
  await app.ready();
  return app;
}

/** Reads a Server-Sent Events response event by event. */
async function sseEvents(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    async next(): Promise<{ event?: string; id?: string; data?: unknown }> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.event === undefined) continue;
          return { event: fields.event, id: fields.id, data: JSON.parse(fields.data!) };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    },
  };
}
