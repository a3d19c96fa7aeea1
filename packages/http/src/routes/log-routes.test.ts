import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApps } from '../test-helpers/test-app.js';

const makeApp = useTestApps();
const NOW = Date.parse('2026-12-02T12:00:00Z');
const HOUR = 3_600_000;

interface Sent {
  level: string;
  service: string;
  message: string;
  timestamp: number;
}

/** A small deterministic random source (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEVELS = ['INFO', 'info', 'WARN', 'WARNING', 'ERROR', 'error', 'CRITICAL', 'DEBUG'];
const CANON: Record<string, string> = {
  INFO: 'INFO',
  WARN: 'WARN',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  CRITICAL: 'CRIT',
  DEBUG: 'DEBUG',
};
const SERVICES = ['api', 'db', 'auth', 'cache', 'queue'];
const WORDS = ['timeout', 'connected', 'refused', 'retry', 'Slow', 'disk', 'full', 'ok'];

async function ingest(app: FastifyInstance, events: Sent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: events
        .slice(i, i + 500)
        .map((e) => JSON.stringify({ ...e, timestamp: new Date(e.timestamp).toISOString() }))
        .join('\n'),
    });
    expect(res.statusCode).toBe(200);
  }
}

/** Every page of a query, following `next`; the messages in reply order. */
async function allPages(app: FastifyInstance, params: URLSearchParams): Promise<{ offsets: number[]; pages: number }> {
  const offsets: number[] = [];
  let pages = 0;
  for (;;) {
    const res = await app.inject({ url: `/logs?${params}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.count).toBe(body.logs.length);
    offsets.push(...body.logs.map((l: { offset: number }) => l.offset));
    pages++;
    if (body.next === null) return { offsets, pages };
    params.set('cursor', body.next);
  }
}

describe('GET /logs', () => {
  it('answers random queries as a plain filter over every event does, page by page', async () => {
    const random = rng(12);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const sent: Sent[] = Array.from({ length: 3000 }, () => ({
      level: pick(LEVELS),
      service: pick(SERVICES),
      message: `${pick(WORDS)} ${pick(WORDS)} ${Math.floor(random() * 100)}`,
      // Event times out of offset order, some older than an hour.
      timestamp: NOW - Math.floor(random() * 3 * HOUR),
    }));
    // A small ring of recent events: most answers are read back from the topic.
    const { app } = await makeApp({ clock: () => NOW, recentEvents: 50 });
    await ingest(app, sent);
    for (let round = 0; round < 40; round++) {
      const params = new URLSearchParams();
      let level: string | undefined;
      let service: string | undefined;
      let since = Number.NEGATIVE_INFINITY;
      let until = Number.POSITIVE_INFINITY;
      let text: ((m: string) => boolean) | undefined;
      if (random() < 0.6) params.set('level', (level = pick(LEVELS)).toLowerCase());
      if (random() < 0.5) params.set('service', (service = pick(SERVICES)));
      if (random() < 0.4) {
        const minutes = 10 + Math.floor(random() * 150);
        params.set('since', `-${minutes}m`);
        since = NOW - minutes * 60_000;
      } else if (level === undefined) since = NOW - HOUR;
      if (random() < 0.3) {
        until = NOW - Math.floor(random() * 2 * HOUR);
        params.set('until', new Date(until).toISOString());
      }
      if (random() < 0.3) {
        const w = pick(WORDS);
        if (random() < 0.5) {
          params.set('q', w);
          text = (m) => m.includes(w);
        } else {
          params.set('q', `/^${w.toLowerCase()} (ok|full)/i`);
          text = (m) => new RegExp(`^${w.toLowerCase()} (ok|full)`, 'i').test(m);
        }
      }
      params.set('limit', String(1 + Math.floor(random() * 150)));
      const expected: number[] = [];
      for (let offset = sent.length - 1; offset >= 0; offset--) {
        const e = sent[offset]!;
        if (level !== undefined && CANON[e.level.toUpperCase()] !== CANON[level.toUpperCase()]) continue;
        if (service !== undefined && e.service !== service) continue;
        if (e.timestamp < since || e.timestamp > until) continue;
        if (text !== undefined && !text(e.message)) continue;
        expected.push(offset);
      }
      const shown = params.toString();
      const got = await allPages(app, params);
      expect(got.offsets, shown).toEqual(expected);
    }
  });

  it('without a level, the last hour; with one, all time; 100 newest in /logs/recent', async () => {
    const { app } = await makeApp({ clock: () => NOW });
    await ingest(
      app,
      Array.from({ length: 150 }, (_, i) => ({
        level: i % 2 ? 'ERROR' : 'INFO',
        service: 's',
        message: `m${i}`,
        timestamp: i < 10 ? NOW - 2 * HOUR : NOW - 1000,
      })),
    );
    expect((await app.inject({ url: '/logs?limit=1000' })).json().count).toBe(140);
    expect((await app.inject({ url: '/logs?level=ERROR&limit=1000' })).json().count).toBe(75);
    const recent = (await app.inject({ url: '/logs/recent' })).json();
    expect(recent.count).toBe(100);
    expect(recent.logs[0].message).toBe('m149');
    expect(recent.logs[99].message).toBe('m50');
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=10001', 'limit'],
    ['since=yesterday', 'since'],
    ['until=-5x', 'until'],
    ['cursor=-1', 'cursor'],
    ['q=/(a/', 'q'],
    ['q=/(a%2B)%2B%5C1/', 'q'],
    ['q=/a/g', 'q'],
  ])('400 for %s, naming the parameter', async (query, field) => {
    const { app } = await makeApp();
    const res = await app.inject({ url: `/logs?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
  });

  it('a pattern that backtracks exponentially does not stall the server', async () => {
    const { app } = await makeApp();
    await ingest(app, [{ level: 'INFO', service: 's', message: `${'a'.repeat(40)}!`, timestamp: Date.now() }]);
    const t0 = performance.now();
    const res = await app.inject({ url: `/logs?q=${encodeURIComponent('/^(a+)+$/')}` });
    expect(res.json().count).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('an unknown level or service is an empty answer, not an error', async () => {
    const { app } = await makeApp();
    await ingest(app, [{ level: 'INFO', service: 's', message: 'x', timestamp: Date.now() }]);
    expect((await app.inject({ url: '/logs?level=NOPE' })).json()).toEqual({ count: 0, logs: [], next: null });
    expect((await app.inject({ url: '/logs?service=nope' })).json()).toEqual({ count: 0, logs: [], next: null });
  });

  it('405 on other methods', async () => {
    const { app } = await makeApp();
    for (const url of ['/logs', '/logs/recent', '/logs/stream']) {
      const res = await app.inject({ method: 'POST', url });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });
});

describe('restart', () => {
  it('rebuilds the indexes from the topic: the same answers before and after', async () => {
    const random = rng(7);
    const first = await makeApp({ clock: () => NOW, sync: 'always' });
    await ingest(
      first.app,
      Array.from({ length: 1200 }, (_, i) => ({
        level: LEVELS[Math.floor(random() * LEVELS.length)]!,
        service: SERVICES[i % SERVICES.length]!,
        message: `event ${i}`,
        timestamp: NOW - Math.floor(random() * 2 * HOUR),
      })),
    );
    const queries = [
      '/logs?level=ERROR&limit=50',
      '/logs?service=db&since=-30m',
      '/logs?q=event%201&limit=500',
      '/logs/recent',
    ];
    const before = await Promise.all(queries.map(async (q) => (await first.app.inject({ url: q })).json()));
    const statsBefore = (await first.app.inject({ url: '/stats' })).json();
    const second = await first.restart();
    const after = await Promise.all(queries.map(async (q) => (await second.app.inject({ url: q })).json()));
    expect(after).toEqual(before);
    const statsAfter = (await second.app.inject({ url: '/stats' })).json();
    expect(statsAfter.logs_in_storage).toBe(1200);
    expect(statsAfter.levels).toEqual(statsBefore.levels);
    // New events go on after the old ones.
    await ingest(second.app, [{ level: 'ERROR', service: 'db', message: 'after restart', timestamp: NOW }]);
    expect((await second.app.inject({ url: '/logs?level=ERROR&limit=1' })).json().logs[0]).toMatchObject({
      message: 'after restart',
      offset: 1200,
    });
  });
});
