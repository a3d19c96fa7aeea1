import { connectRedis, type RedisConnection } from '@esc/redis';
import { type RedisTestServer, startRedis } from '@esc/test-fixtures';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../http-app.js';
import { RedisEventStore } from './redis-event-store.js';

const START = Date.parse('2026-12-02T09:00:00Z');
const MINUTE = 60_000;
const LEVELS = ['INFO', 'WARN', 'ERROR', 'CRIT', 'DEBUG'];
const SERVICES = ['api', 'db', 'auth'];
const WORDS = ['timeout', 'connected', 'refused', 'disk', 'full', 'ok'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let redis: RedisTestServer;
let connection: RedisConnection;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  redis = await startRedis();
  connection = await connectRedis(redis.url, { failFast: false });
}, 60_000);

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await connection.client.flushall();
});

afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

/** An app over the Redis store, its clock (the time received, and the stream IDs') set by the test. */
async function makeApp(clock: { now: number }, partitions = 3): Promise<FastifyInstance> {
  const backend = { url: redis.url, connection, prefix: 'test:http' };
  const events = await RedisEventStore.open(backend, { partitions, clock: () => clock.now });
  const app = await createHttpApp({ events, redis: backend, clock: () => clock.now });
  apps.push(app);
  return app;
}

describe('RedisEventStore', () => {
  it('answers random queries as a plain filter over every event does, page by page, over 3 partitions', async () => {
    const random = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const clock = { now: START };
    const app = await makeApp(clock);
    const sent: { id: string; level: string; service: string; message: string; at: number }[] = [];
    // 200 requests a minute apart (1 to 5 events each): received times over 3 hours 20 minutes.
    for (let r = 0; r < 200; r++) {
      clock.now = START + r * MINUTE;
      const batch = Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({
        level: pick(LEVELS),
        service: pick(SERVICES),
        message: `${pick(WORDS)} ${pick(WORDS)} ${Math.floor(random() * 100)}`,
      }));
      const res = await app.inject({
        method: 'POST',
        url: '/ingest',
        headers: { 'content-type': 'application/x-ndjson' },
        payload: batch.map((e) => JSON.stringify(e)).join('\n'),
      });
      expect(res.statusCode).toBe(200);
      const ids = res.json().ids as string[];
      for (const [i, e] of batch.entries()) sent.push({ ...e, id: ids[i]!, at: clock.now });
    }
    const end = clock.now;
    for (let round = 0; round < 40; round++) {
      const params = new URLSearchParams();
      const level = random() < 0.5 ? pick(LEVELS) : undefined;
      const service = random() < 0.5 ? pick(SERVICES) : undefined;
      const word = random() < 0.3 ? pick(WORDS) : undefined;
      const since = end - Math.floor(random() * 240) * MINUTE;
      const until = random() < 0.3 ? end - Math.floor(random() * 120) * MINUTE : Number.POSITIVE_INFINITY;
      if (level) params.set('level', level.toLowerCase());
      if (service) params.set('service', service);
      if (word) params.set('q', word);
      params.set('since', new Date(since).toISOString());
      if (until < Number.POSITIVE_INFINITY) params.set('until', new Date(until).toISOString());
      params.set('limit', String(1 + Math.floor(random() * 60)));
      const expected = sent
        .filter(
          (e) =>
            (level === undefined || e.level === level) &&
            (service === undefined || e.service === service) &&
            (word === undefined || e.message.includes(word)) &&
            e.at >= since &&
            e.at <= until,
        )
        .map((e) => e.id)
        .reverse();
      const got: string[] = [];
      for (let cursor = ''; ; ) {
        const res = await app.inject({ url: `/logs?${params}${cursor}` });
        expect(res.statusCode, params.toString()).toBe(200);
        const body = res.json() as { logs: { id: string }[]; next: string | null };
        got.push(...body.logs.map((e) => e.id));
        if (body.next === null) break;
        cursor = `&cursor=${body.next}`;
      }
      expect(got, params.toString()).toEqual(expected);
    }
    const stats = (await app.inject({ url: '/stats' })).json() as { logs_in_storage: number; partitions: number };
    expect(stats).toMatchObject({ logs_in_storage: sent.length, partitions: 3 });
  }, 120_000);

  it('gives offsets unique across partitions past 2048 events in one millisecond, in order within a request', async () => {
    const clock = { now: START };
    const app = await makeApp(clock, 2);
    const body = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({ level: 'INFO', service: 's', message: `${i}` }),
    );
    for (let r = 0; r < 2; r++) {
      const res = await app.inject({
        method: 'POST',
        url: '/ingest',
        headers: { 'content-type': 'application/x-ndjson' },
        payload: body.join('\n'),
      });
      expect(res.statusCode).toBe(200);
    }
    const res = await app.inject({ url: '/logs?level=info&limit=10000' });
    const logs = res.json().logs as { offset: number; message: string; received_at: string }[];
    expect(logs).toHaveLength(3000);
    expect(new Set(logs.map((e) => e.offset)).size).toBe(3000);
    // Partition p gives out sequence numbers ≡ p mod 2: 1,024 a millisecond, then it borrows the next one.
    const first = logs.filter((e) => (e.offset % 2048) % 2 === 0).reverse();
    expect(first.map((e) => e.message)).toEqual(body.map((_, i) => String(i)));
    expect(new Set(first.map((e) => Math.floor(e.offset / 2048))).size).toBe(2);
  }, 60_000);

  it('a newer partition count does not change a log that exists: the first instance chose it', async () => {
    const clock = { now: START };
    await makeApp(clock, 5);
    const again = await RedisEventStore.open({ url: redis.url, connection, prefix: 'test:http' }, { partitions: 2 });
    expect(again.partitions).toBe(5);
    await again.close();
  });
});
