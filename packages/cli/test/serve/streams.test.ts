// Redis Streams through the built `esc serve`: ioredis (a blocking XREADGROUP woken by another client's XADD, in
// RESP2 and RESP3), the topics behind the streams read and written by `esc consume`/`esc produce`, and
// durability: 30 SIGKILLs under --sync always, after which every acknowledged XADD, delivery and XACK is there.
import Redis from 'ioredis';
import { makeTempDir } from '@esc/test-fixtures';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runEsc } from '../run-esc.js';
import { type RunningServer, startEscServe } from './serve-harness.js';

const servers: RunningServer[] = [];
const clients: Redis[] = [];
const temps: { remove(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
});
afterAll(() => {
  for (const t of temps.splice(0)) t.remove();
});

async function server(args: string[] = [], dir?: string): Promise<RunningServer> {
  const s = await startEscServe(args, { dir, env: { ESC_STREAMS_LOCK_STALE_MS: '2000' } });
  servers.push(s);
  return s;
}

function client(s: RunningServer, options: { protocol?: 2 | 3 } = {}): Redis {
  const c = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0, ...options });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

function tempDir(): string {
  const t = makeTempDir('esc-serve-streams');
  temps.push(t);
  return t.path;
}

describe.each([2, 3] as const)('ioredis, RESP%d', (protocol) => {
  it('adds, ranges, reads as a group, acks, and wakes a blocked XREADGROUP with another client’s XADD', async () => {
    const s = await server();
    const a = client(s, { protocol });
    const b = client(s, { protocol });
    expect(await a.xadd('orders', '1-1', 'item', 'book', 'qty', '2')).toBe('1-1');
    expect(await a.xrange('orders', '-', '+')).toEqual([['1-1', ['item', 'book', 'qty', '2']]]);
    expect(await a.xgroup('CREATE', 'orders', 'workers', '$')).toBe('OK');
    const started = Date.now();
    const blocked = b.xreadgroup('GROUP', 'workers', 'w1', 'BLOCK', 5000, 'STREAMS', 'orders', '>');
    await new Promise((r) => setTimeout(r, 100));
    const id = await a.xadd('orders', '*', 'item', 'pen');
    const delivered = (await blocked) as unknown;
    expect(Date.now() - started).toBeLessThan(4000);
    const entries = protocol === 2 ? [['orders', [[id, ['item', 'pen']]]]] : { orders: [[id, ['item', 'pen']]] };
    expect(delivered).toEqual(protocol === 2 ? entries : expect.anything());
    if (protocol === 3) expect(JSON.stringify(delivered)).toContain(id!);
    expect(await a.xpending('orders', 'workers')).toEqual([1, id, id, [['w1', '1']]]);
    expect(await a.xack('orders', 'workers', id!)).toBe(1);
    expect(await a.xlen('orders')).toBe(2);
  });
});

describe('streams are topics', () => {
  it('a stream made with XADD is read by esc consume, and a topic made by esc produce by XRANGE', async () => {
    const dir = tempDir();
    const s = await server([], dir);
    const c = client(s);
    await c.xadd('sensor:1', '1700000000000-0', 'temp', '21.5', 'unit', 'C');
    await c.xadd('sensor:1', '1700000000000-1', 'temp', '22');
    await c.xadd('orders', '5-0', 'id', 'é');
    // sensor:1 is escaped into a topic name; orders is its own.
    const topics = runEsc(['topic', 'list', '--dir', dir]);
    expect(topics.stdout).toContain('_sensor_3a1');
    const text = runEsc(['consume', '_sensor_3a1', '--dir', dir]);
    expect(text.stdout).toBe('["temp","21.5","unit","C"]\n["temp","22"]\n');
    const json = runEsc(['consume', 'orders', '--dir', dir, '-o', 'ndjson']);
    const record = JSON.parse(json.stdout) as { value: string; headers: { key: string; value: string }[] };
    expect(record.value).toBe('["id","é"]');
    expect(record.headers).toEqual([{ key: 'redis-id', value: '5-0' }]);

    const produced = runEsc(['produce', 'logs', '--dir', dir, '--key-separator', ':'], { input: 'a:one\nb:two\n' });
    expect(produced.stderr).toBe('');
    expect(produced.status).toBe(0);
    const range = (await c.xrange('logs', '-', '+')) as [string, string[]][];
    expect(range.map(([, fields]) => fields)).toEqual([
      ['key', 'a', 'value', 'one'],
      ['key', 'b', 'value', 'two'],
    ]);
    const [first, second] = range.map(([id]) => id.split('-').map(Number) as [number, number]);
    expect(first![1]).toBe(0);
    expect(second![1]).toBe(1);
    expect(Math.abs(first![0] - Date.now())).toBeLessThan(60_000);
    // The produced topic is a stream like any other now.
    const next = await c.xadd('logs', '*', 'value', 'three');
    expect((await c.xrange('logs', next!, '+')).length).toBe(1);
  });
});

describe('durability', () => {
  it('keeps every acknowledged XADD, delivery and XACK through 30 SIGKILLs under --sync always', async () => {
    const dir = tempDir();
    const acked: string[] = [];
    const delivered = new Set<string>();
    const acknowledged = new Set<string>();
    /** XACKs sent, answered or not: an entry in none of them must still be pending after a restart. */
    const ackSent = new Set<string>();
    let lastDelivered = '0-0';
    const cmp = (a: string, b: string) => {
      const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
      const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
      return am !== bm ? (am < bm ? -1 : 1) : as < bs ? -1 : as > bs ? 1 : 0;
    };
    for (let round = 0; round < 30; round++) {
      const s = await server(['--sync', 'always'], dir);
      const check = client(s);
      // Everything acknowledged before the last kill is there.
      const ids = new Set(((await check.xrange('s', '-', '+')) as [string, string[]][]).map(([id]) => id));
      for (const id of acked) expect(ids.has(id), `round ${round}: XADD ${id}`).toBe(true);
      if (round > 0) {
        const pending = new Set(
          ((await check.xpending('s', 'g', '-', '+', 1_000_000)) as [string][]).map(([id]) => id),
        );
        for (const id of delivered)
          if (!ackSent.has(id)) expect(pending.has(id), `round ${round}: pending ${id}`).toBe(true);
        for (const id of acknowledged) expect(pending.has(id), `round ${round}: acked ${id}`).toBe(false);
        const groups = (await check.xinfo('GROUPS', 's')) as unknown[][];
        const last = String(groups[0]![groups[0]!.indexOf('last-delivered-id') + 1]);
        expect(cmp(last, lastDelivered), `round ${round}: last-delivered ${last}`).toBeGreaterThanOrEqual(0);
      } else await check.xgroup('CREATE', 's', 'g', '0', 'MKSTREAM');
      let stop = false;
      const writers = [0, 1, 2].map(async (w) => {
        const c = client(s);
        for (let i = 0; !stop; i++) {
          try {
            acked.push((await c.xadd('s', '*', 'w', String(w), 'i', String(i)))!);
          } catch {
            return;
          }
        }
      });
      const reader = (async () => {
        const c = client(s);
        while (!stop) {
          try {
            const got = (await c.xreadgroup('GROUP', 'g', 'c', 'COUNT', 5, 'STREAMS', 's', '>')) as
              | [string, [string, string[]][]][]
              | null;
            const ids = got?.[0]?.[1].map(([id]) => id) ?? [];
            for (const id of ids) {
              delivered.add(id);
              if (cmp(id, lastDelivered) > 0) lastDelivered = id;
            }
            const toAck = ids.filter((_, i) => i % 2 === 0);
            for (const id of toAck) ackSent.add(id);
            if (toAck.length > 0 && (await c.xack('s', 'g', ...toAck)) === toAck.length)
              for (const id of toAck) acknowledged.add(id);
          } catch {
            return;
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2200));
      await s.stop('SIGKILL');
      stop = true;
      await Promise.all([...writers, reader]);
      servers.splice(servers.indexOf(s), 1);
      for (const c of clients.splice(0)) c.disconnect();
    }
    expect(acked.length).toBeGreaterThan(100);
    expect(acknowledged.size).toBeGreaterThan(10);
  }, 300_000);
});
