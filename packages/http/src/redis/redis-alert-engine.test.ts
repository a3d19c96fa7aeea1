import { connectRedis, type RedisConnection } from '@esc/redis';
import { type RedisTestServer, startRedis, until } from '@esc/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertClock } from '../alerts/alert-clock.js';
import type { AlertTransition } from '../alerts/alert-engine.js';
import { parseRuleSet } from '../alerts/alert-rules.js';
import { RedisAlertEngine } from './redis-alert-engine.js';

let redis: RedisTestServer;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startRedis();
  connection = await connectRedis(redis.url, { failFast: false });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe('RedisAlertEngine', () => {
  it('two instances feeding one rule: it fires once, stays firing, resolves once, then waits out its cooldown', async () => {
    let now = Date.parse('2026-12-02T12:00:00Z');
    const clock: AlertClock = {
      now: () => now,
      setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    const { rules } = parseRuleSet(
      { rules: [{ name: 'errors', level: 'ERROR', threshold: 5, window: '1m', cooldown: '30s' }] },
      'test',
    );
    const emitted: (AlertTransition & { by: number })[] = [];
    const backend = { url: redis.url, connection, prefix: 'test:alerts' };
    const engines = [0, 1].map(
      (by) => new RedisAlertEngine(backend, rules, clock, (t) => emitted.push({ ...t, by }), silent),
    );
    const event = (i: number) => ({ id: `e${i}`, level: 'ERROR', service: 'api', message: 'boom', receivedAt: now });
    // 12 matches, alternating between the instances: one firing between them.
    for (let i = 0; i < 12; i++) engines[i % 2]!.observe(event(i));
    await until(() => engines.every((e) => e.status()[0]!.count === 12), 20_000);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ rule: 'errors', status: 'firing', count: 5, firstEventId: 'e0' });
    expect(engines.map((e) => e.status()[0]!.state)).toEqual(['firing', 'firing']);

    // The window passes with no new match: the per-second judgement of either instance resolves it, once.
    now += 61_000;
    await until(() => emitted.length === 2 && engines.every((e) => e.status()[0]!.state === 'inactive'), 20_000);
    expect(emitted[1]).toMatchObject({ status: 'resolved', count: 0, peakCount: 12, id: emitted[0]!.id });

    // Back over the threshold within the cooldown: pending, not firing.
    for (let i = 12; i < 18; i++) engines[i % 2]!.observe(event(i));
    await until(() => engines.every((e) => e.status()[0]!.count === 6), 20_000);
    expect(engines[0]!.status()[0]).toMatchObject({ state: 'pending' });
    expect(engines[0]!.status()[0]!.cooldownUntil).toBeDefined();
    expect(emitted).toHaveLength(2);
    // The cooldown over with the count still at the threshold: it fires then, once.
    now += 31_000;
    await until(() => emitted.length === 3, 20_000);
    expect(emitted[2]).toMatchObject({ status: 'firing', count: 6 });
    await until(() => engines.every((e) => e.status()[0]!.state === 'firing'), 20_000);
    expect(emitted).toHaveLength(3);
    for (const e of engines) e.close();
  }, 60_000);
});
