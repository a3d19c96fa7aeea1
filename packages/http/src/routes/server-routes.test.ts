import { describe, expect, it } from 'vitest';
import type { FastifyPluginAsync } from 'fastify';
import type { LogEvent } from '../log-event.js';
import type { HttpPluginOptions } from '../server-state.js';
import { useTestApps } from '../test-helpers/test-app.js';
import { until } from '@esc/test-fixtures';

const makeApp = useTestApps();

describe('GET /stats', () => {
  it("has LogStream's fields and esc's own", async () => {
    let now = Date.parse('2026-12-02T12:00:00Z');
    const { app } = await makeApp({ clock: () => now, sync: 'batch' });
    await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [
        { level: 'INFO', message: 'a', service: 's' },
        { level: 'ERROR', message: 'b', service: 't' },
      ],
    });
    now += 10_000;
    const stats = (await app.inject({ url: '/stats' })).json();
    expect(stats).toMatchObject({
      total_processed: 2,
      total_dropped: 0,
      uptime_seconds: 10,
      avg_throughput: 0.2,
      logs_in_storage: 2,
      topic: 'logs',
      sync: 'batch',
      earliest_offset: 0,
      next_offset: 2,
      levels: { INFO: 1, ERROR: 1 },
      services: 2,
      queue_depth: 0,
      stream_clients: 0,
    });
    expect(stats.index_bytes).toBeGreaterThan(0);
    expect(stats.rss_bytes).toBeGreaterThan(0);
  });
});

describe('GET /stats after retention', () => {
  it('drops the events retention deleted from every figure, without a restart', async () => {
    const { app, store } = await makeApp();
    await store.alterTopic('logs', { segmentBytes: 2048 });
    // Batches of 20 (one record batch each, ~1.5 KB): every append past the first rolls a segment.
    const sent: { level: string; service: string }[] = [];
    for (let b = 0; b < 6; b++) {
      const batch = Array.from({ length: 20 }, (_, i) => ({
        level: b < 3 ? 'ERROR' : i % 2 ? 'INFO' : 'WARNING',
        service: b < 3 ? `old-${i % 4}` : 'new',
        message: `event ${b}.${i} ${'x'.repeat(40)}`,
      }));
      expect((await app.inject({ method: 'POST', url: '/ingest', payload: batch })).statusCode).toBe(200);
      sent.push(...batch);
    }
    const before = (await app.inject({ url: '/stats' })).json();
    expect(before).toMatchObject({ logs_in_storage: 120, levels: { ERROR: 60, INFO: 30, WARN: 30 }, services: 5 });

    await store.alterTopic('logs', { retentionBytes: 4096 });
    await store.applyRetention('logs');
    const after = (await app.inject({ url: '/stats' })).json();
    const earliest: number = after.earliest_offset;
    // Retention kept the segments of the newest 4 KiB: the old services' ERRORs are all gone.
    expect(earliest).toBeGreaterThanOrEqual(60);
    expect(earliest).toBe(store.bounds('logs', 0).earliest);
    const kept = sent.slice(earliest);
    const levels: Record<string, number> = {};
    for (const e of kept) {
      const level = e.level === 'WARNING' ? 'WARN' : e.level;
      levels[level] = (levels[level] ?? 0) + 1;
    }
    expect(after).toMatchObject({
      total_processed: 120,
      logs_in_storage: kept.length,
      next_offset: 120,
      levels,
      services: new Set(kept.map((e) => e.service)).size,
    });
    expect(after.levels.ERROR).toBeUndefined();
    expect(after.index_bytes).toBeLessThanOrEqual(before.index_bytes);
    expect((await app.inject({ url: '/logs?level=ERROR&limit=1000' })).json().count).toBe(0);
  });
});

describe('POST /simulate', () => {
  it('answers as LogStream and stores LogStream-like events through the write path', async () => {
    const seen: LogEvent[] = [];
    const { app } = await makeApp({ onEvent: (e) => seen.push(e) });
    const res = await app.inject({ method: 'POST', url: '/simulate?count=2500' });
    expect(res.json()).toEqual({ status: 'simulation started', logs: '2500' });
    await until(async () => (await app.inject({ url: '/stats' })).json().logs_in_storage === 2500);
    expect(new Set(seen.map((e) => e.level))).toEqual(new Set(['INFO', 'WARN', 'ERROR', 'CRIT']));
    expect(seen[0]!.metadata).toMatchObject({ request_id: expect.any(String), simulated: true });
    const defaults = await app.inject({ method: 'POST', url: '/simulate' });
    expect(defaults.json()).toEqual({ status: 'simulation started', logs: '10000' });
  });

  it('400 for a bad count, 405 for GET', async () => {
    const { app } = await makeApp();
    for (const count of ['0', 'x', '1000001']) {
      const res = await app.inject({ method: 'POST', url: `/simulate?count=${count}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe('count');
    }
    expect((await app.inject({ url: '/simulate' })).statusCode).toBe(405);
  });
});

describe('GET /metrics and /healthz', () => {
  it('serves Prometheus text with ingest counters by level, queue depth and latencies', async () => {
    const { app } = await makeApp();
    await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [
        { level: 'ERROR', message: 'a', service: 's' },
        { level: 'ERROR', message: 'b', service: 's' },
        { level: 'warning', message: 'c', service: 's' },
      ],
    });
    await app.inject({ method: 'POST', url: '/ingest', payload: '{', headers: { 'content-type': 'application/json' } });
    await app.inject({ method: 'PUT', url: '/ingest' });
    await app.inject({ url: '/no/such/route' });
    await app.inject({ url: '/no/such/route' });
    await app.inject({ method: 'HEAD', url: '/healthz' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    expect(res.body).toContain('esc_http_ingested_events_total{level="ERROR"} 2');
    expect(res.body).toContain('esc_http_ingested_events_total{level="WARN"} 1');
    expect(res.body).toContain('esc_http_refused_events_total{reason="invalid"} 1');
    expect(res.body).toContain('esc_http_ingest_queue_depth 0');
    expect(res.body).toMatch(
      /esc_http_request_duration_seconds_count\{method="POST",route="\/ingest",status="200"\} 1/,
    );
    // Every request is observed under its route's URL, whatever answered it (a 400, a 405, a HEAD route).
    expect(res.body).toContain('esc_http_request_duration_seconds_count{method="POST",route="/ingest",status="400"} 1');
    expect(res.body).toContain('esc_http_request_duration_seconds_count{method="PUT",route="/ingest",status="405"} 1');
    expect(res.body).toContain(
      'esc_http_request_duration_seconds_count{method="HEAD",route="/healthz",status="200"} 1',
    );
    expect(res.body).toContain('esc_http_request_duration_seconds_count{method="GET",route="unknown",status="404"} 2');
    expect(res.body).toContain('esc_process_resident_memory_bytes');
  });

  it('healthz answers ok', async () => {
    const { app } = await makeApp();
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('404 names the route', async () => {
    const { app } = await makeApp();
    const res = await app.inject({ url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no route GET /nope' });
  });
});

describe('auth', () => {
  it('with a password, every route but /healthz needs the bearer token', async () => {
    const { app } = await makeApp({ password: 's3cret' });
    const event = { level: 'INFO', message: 'a', service: 's' };
    const none = await app.inject({ method: 'POST', url: '/ingest', payload: event });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="esc"');
    const wrong = await app.inject({ url: '/logs', headers: { authorization: 'Bearer s3cre' } });
    expect(wrong.statusCode).toBe(401);
    const basic = await app.inject({ url: '/stats', headers: { authorization: 'Basic czNjcmV0' } });
    expect(basic.statusCode).toBe(401);
    const right = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: event,
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(right.statusCode).toBe(200);
    expect((await app.inject({ url: '/logs/recent?access_token=s3cret' })).json().count).toBe(1);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });
});

describe('plugins', () => {
  it('get the context: events after they are stored, the metrics registry, the clock', async () => {
    const got: LogEvent[] = [];
    const plugin: FastifyPluginAsync<HttpPluginOptions> = async (app, { context }) => {
      context.onEvent((e) => got.push(e));
      const { Counter } = await import('prom-client');
      const fired = new Counter({ name: 'esc_test_fired_total', help: 'test', registers: [context.metrics.registry] });
      app.get('/plugin', async () => {
        fired.inc();
        return { now: context.clock(), sync: context.sync };
      });
    };
    const { app } = await makeApp({ plugins: [plugin], clock: () => 42, sync: 'none' });
    await app.inject({ method: 'POST', url: '/ingest', payload: { level: 'INFO', message: 'a', service: 's' } });
    expect(got.map((e) => e.offset)).toEqual([0]);
    expect((await app.inject({ url: '/plugin' })).json()).toEqual({ now: 42, sync: 'none' });
    expect((await app.inject({ url: '/metrics' })).body).toContain('esc_test_fired_total 1');
  });
});
