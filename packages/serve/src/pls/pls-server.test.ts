import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { openStreams, type SyncMode, type TopicStore } from '@esc/streams';
import { afterEach, describe, expect, it } from 'vitest';
import { PlsClient, type PlsMessage } from './pls-client.js';
import { encodeFrame } from './pls-frame.js';
import type { LagGateLimits } from './lag-gate.js';
import { type PlsServer, startPlsServer } from './pls-server.js';
import { until } from '@esc/test-fixtures';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'esc-pls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(
  dir: string,
  options: { heartbeatMs?: number; sync?: SyncMode; lagLimits?: LagGateLimits } = {},
): Promise<{ server: PlsServer; topics: TopicStore; stop(): Promise<void> }> {
  const topics = openStreams(dir, { onWarning: () => {} });
  const server = await startPlsServer({
    topics,
    port: 0,
    sync: options.sync ?? 'none',
    heartbeatMs: options.heartbeatMs,
    lagLimits: options.lagLimits,
  });
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      await topics.close();
    })());
  cleanups.push(stop);
  return { server, topics, stop };
}

async function client(server: PlsServer, heartbeatMs = 0): Promise<PlsClient> {
  const c = await PlsClient.connect({ port: server.address.port, heartbeatMs });
  cleanups.push(() => c.close());
  return c;
}

/** A registered client subscribed to `topic` from its end (SET -1), the subscription sent. */
async function subscriberAtEnd(server: PlsServer, topic: string): Promise<PlsClient> {
  const c = await client(server);
  await c.register();
  c.setOffset(topic, -1);
  c.subscribe(topic);
  await c.flush();
  return c;
}

/** Reads deliveries with timeouts, keeping an unanswered read for the next call (an async generator queues them). */
class Receiver {
  private pending: Promise<IteratorResult<PlsMessage>> | null = null;
  private readonly messages: AsyncIterator<PlsMessage>;
  constructor(client: PlsClient) {
    this.messages = client.messages();
  }

  /** The next delivery as `topic payload`, null at the end of the connection, 'timeout' after `ms`. */
  async next(ms: number): Promise<string | null | 'timeout'> {
    this.pending ??= this.messages.next();
    const got = await Promise.race([this.pending, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
    if (got === 'timeout') return got;
    this.pending = null;
    return got.done ? null : `${got.value.topic} ${got.value.payload.toString()}`;
  }

  /** The next `n` deliveries, or fails after `ms`. */
  async take(n: number, ms = 10_000): Promise<string[]> {
    const out: string[] = [];
    const deadline = Date.now() + ms;
    while (out.length < n) {
      const got = await this.next(Math.max(1, deadline - Date.now()));
      if (got === 'timeout') throw new Error(`got ${out.length} of ${n} deliveries: ${out.slice(-3).join(' | ')}`);
      if (got === null) throw new Error(`connection ended after ${out.length} of ${n} deliveries`);
      out.push(got);
    }
    return out;
  }

  /** Nothing arrives within `ms`: null, else what came. */
  async nothingWithin(ms: number): Promise<string | null> {
    const got = await this.next(ms);
    return got === 'timeout' ? null : got;
  }
}

const range = <T>(from: number, to: number, f: (i: number) => T): T[] =>
  Array.from({ length: to - from }, (_, i) => f(from + i));

describe('PLS server', () => {
  it('registers, produces with CRC, subscribes and consumes; a restart goes on after the last record delivered', async () => {
    const dir = tempDir();
    const n = 30_000;
    const pad = '.'.repeat(1000);
    const first = await start(dir);
    const producer = await client(first.server);
    await producer.register();
    for (let i = 0; i < n; i++) producer.publish('orders', `order ${i} ${pad}`);
    expect(await producer.flush()).toEqual({ appended: n, refused: 0 });

    const consumer = await client(first.server);
    const id = await consumer.register();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    consumer.subscribe('orders');
    // Read until the server goes away; it is stopped after the first 300 (mid-stream: the client's queue and
    // the socket buffers hold a few thousand at most).
    const before: string[] = [];
    const reading = (async () => {
      for await (const m of consumer.messages()) {
        before.push(`${m.topic} ${m.payload.toString()}`);
        if (before.length === 300) void first.stop();
      }
    })();
    await reading;
    await first.stop();
    expect(before.length).toBeGreaterThanOrEqual(300);
    expect(before.length).toBeLessThan(n);
    const index = (m: string) => (m === `orders order ${m.split(' ')[2]} ${pad}` ? Number(m.split(' ')[2]) : m);
    expect(before.map(index)).toEqual(range(0, before.length, (i) => i));

    const second = await start(dir);
    const again = await client(second.server);
    again.login(id);
    again.subscribe('orders');
    const receiver = new Receiver(again);
    // A clean stop commits what it wrote: the next record is exactly the one after the last delivered.
    const after = await receiver.take(n - before.length);
    expect(after.map(index)).toEqual(range(before.length, n, (i) => i));
    expect(await receiver.nothingWithin(100)).toBeNull();
  });

  it('continues exactly after the last record delivered when the client read everything before the restart', async () => {
    const dir = tempDir();
    const first = await start(dir, { sync: 'always' });
    const c = await client(first.server);
    const id = await c.register();
    for (let i = 0; i < 50; i++) c.publish('t', `m${i}`);
    await c.flush();
    c.subscribe('t');
    expect(await new Receiver(c).take(50)).toHaveLength(50);
    await c.close();
    await first.stop();

    const second = await start(dir);
    const p = await client(second.server);
    await p.register();
    for (let i = 50; i < 60; i++) p.publish('t', `m${i}`);
    await p.flush();
    const c2 = await client(second.server);
    c2.login(id);
    c2.subscribe('t');
    const messages = new Receiver(c2);
    expect(await messages.take(10)).toEqual(range(50, 60, (i) => `t m${i}`));
    expect(await messages.nothingWithin(200)).toBeNull();
  });

  it('counts and logs a PUB with a bad CRC, keeps the connection and appends the good ones', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const topics = openStreams(dir);
    const server = await startPlsServer({
      topics,
      port: 0,
      sync: 'none',
      logger: { info() {}, warn: (f, m) => warnings.push(`${m} ${JSON.stringify(f)}`), error() {} },
    });
    cleanups.push(async () => {
      await server.close();
      await topics.close();
    });
    const c = await client(server);
    await c.register();
    c.publish('t', 'good 1');
    c.writeRaw(encodeFrame('PUB t damaged', crc32(Buffer.from('original')) >>> 0));
    c.publish('t', 'good 2');
    expect(await c.flush()).toEqual({ appended: 2, refused: 1 });
    expect(server.stats()).toMatchObject({ crcErrors: 1, publishRefused: 1, published: 2, connectedClients: 1 });
    expect(warnings.join('\n')).toContain('CRC-32 does not match');
    expect((await topics.readAll('t', 0)).map((r) => r.value!.toString())).toEqual(['good 1', 'good 2']);
    expect(server.info('stats')).toContainEqual(['pls_crc_errors', 1]);
  });

  it('disconnects a client silent past the heartbeat limit, not one that pings', async () => {
    // A limit far above the 60 ms pings: a loaded machine can stall this process (client and server) for a few
    // hundred ms, and a sweep that runs before the pings waiting in the socket are read would count a stall.
    const { server } = await start(tempDir(), { heartbeatMs: 1500 });
    const silent = await client(server);
    await silent.register();
    const pinging = await client(server, 60);
    await pinging.register();
    await silent.closed;
    expect(server.stats().heartbeatTimeouts).toBe(1);
    pinging.publish('t', 'still here');
    expect(await pinging.flush()).toEqual({ appended: 1, refused: 0 });
  });

  it('closes a connection that sends garbage or a hostile length, and only that one', async () => {
    const { server } = await start(tempDir());
    const good = await client(server);
    await good.register();
    const hostile = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]),
      Buffer.concat([encodeFrame('SUB t')]), // before REG/CID
      Buffer.concat([encodeFrame('REG'), encodeFrame('XYZ what')]),
      Buffer.concat([encodeFrame('REG'), encodeFrame('SUB ../etc')]),
      Buffer.concat([encodeFrame('REG'), encodeFrame('SET t x')]),
    ];
    for (const bytes of hostile) {
      const socket = connect(server.address.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.on('data', () => {});
      socket.write(bytes);
      await new Promise((r) => socket.once('close', r));
    }
    expect(server.stats().protocolErrors).toBe(hostile.length);
    good.publish('t', 'fine');
    expect(await good.flush()).toEqual({ appended: 1, refused: 0 });
  });

  it('SET -1 skips to the end of the log, SET 0 replays from the start', async () => {
    const { server } = await start(tempDir());
    const c = await client(server);
    await c.register();
    for (let i = 0; i < 5; i++) c.publish('t', `old${i}`);
    await c.flush();
    c.setOffset('t', -1);
    c.subscribe('t');
    const messages = new Receiver(c);
    expect(await messages.nothingWithin(150)).toBeNull();
    c.publish('t', 'new');
    expect(await messages.take(1)).toEqual(['t new']);
    c.setOffset('t', 0);
    expect(await messages.take(6)).toEqual([...range(0, 5, (i) => `t old${i}`), 't new']);
  });

  it('the newest login of a client id takes its deliveries over', async () => {
    const { server } = await start(tempDir());
    const a = await client(server);
    const id = await a.register();
    a.subscribe('t');
    const fromA = new Receiver(a);
    const producer = await client(server);
    await producer.register();
    producer.publish('t', 'one');
    await producer.flush();
    expect(await fromA.take(1)).toEqual(['t one']);
    const b = await client(server);
    b.login(id);
    b.subscribe('t');
    // The login is in effect once the server has answered what follows it on the same connection; a PUB sent on
    // the producer's connection before then is A's to deliver (and moves the id's offset past it).
    await b.flush();
    const fromB = new Receiver(b);
    producer.publish('t', 'two');
    await producer.flush();
    expect(await fromB.take(1)).toEqual(['t two']);
    expect(await fromA.nothingWithin(150)).toBeNull();
  });

  it('delivers in log order what PUBs append (from memory) and what others append to the same partition (from the log)', async () => {
    const { server, topics } = await start(tempDir());
    const producer = await client(server);
    await producer.register();
    for (let i = 0; i < 100; i++) producer.publish('mix', `early ${i}`);
    await producer.flush();
    // Subscribed mid-log: the first records come from the log, the next ones from memory.
    const c = await client(server);
    await c.register();
    c.setOffset('mix', 40);
    c.subscribe('mix');
    const messages = new Receiver(c);
    expect(await messages.take(60)).toEqual(range(40, 100, (i) => `mix early ${i}`));
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 30; i++) producer.publish('mix', `pls ${round} ${i}`);
      await producer.flush();
      // Another front-end (or process) appending between two PUB appends: a gap in what memory holds.
      if (round % 3 === 0) await topics.append('mix', [{ value: `other ${round}` }]);
    }
    const log = (await topics.readAll('mix', 0)).slice(100).map((r) => `mix ${r.value!.toString()}`);
    expect(log).toHaveLength(20 * 30 + 7);
    expect(await messages.take(log.length)).toEqual(log);
    // Caught up with memory, and no PUB after it: a record appended elsewhere still arrives.
    await topics.append('mix', [{ value: 'other last' }]);
    expect(await messages.take(1)).toEqual(['mix other last']);
    expect(await messages.nothingWithin(100)).toBeNull();
  });

  it('delivers every record of a topic of several partitions, each partition in order', async () => {
    const { server, topics } = await start(tempDir());
    topics.createTopic('multi', { partitions: 3 });
    const c = await client(server);
    await c.register();
    c.subscribe('multi');
    const batches = c.batches();
    const producer = await client(server);
    await producer.register();
    const n = 3000;
    for (let i = 0; i < n; i++) {
      producer.publish('multi', `m${i}`);
      if (i % 500 === 499) await producer.flush();
    }
    const got: string[] = [];
    while (got.length < n) {
      const next = await batches.next();
      if (next.done) throw new Error(`connection ended after ${got.length} deliveries`);
      for (const m of next.value) got.push(m.payload.toString());
    }
    expect(new Set(got).size).toBe(n);
    for (let p = 0; p < 3; p++) {
      const order = (await topics.readAll('multi', p)).map((r) => r.value!.toString());
      expect(got.filter((m) => order.includes(m))).toEqual(order);
    }
  });

  it('does not buffer for a subscriber that does not read: it reads on from the log when the client does', async () => {
    const { server } = await start(tempDir());
    const producer = await client(server);
    await producer.register();
    const payload = 'x'.repeat(1024);
    const n = 40_000;
    for (let i = 0; i < n; i++) producer.publish('big', `${i} ${payload}`);
    expect(await producer.flush()).toEqual({ appended: n, refused: 0 });

    // A raw subscriber that reads nothing: the server stops at the socket buffers.
    const socket = connect(server.address.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    socket.write(Buffer.concat([encodeFrame('REG'), encodeFrame('SUB big')]));
    // Delivering (however slow the machine), then given time to fill the buffers and go on if it would.
    await until(() => server.stats().delivered > 0);
    await new Promise((r) => setTimeout(r, 500));
    const delivered = server.stats().delivered;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(n / 2);

    // A client that reads gets everything from the log.
    const reader = await client(server);
    await reader.register();
    const got = new Set<number>();
    reader.subscribe('big');
    let count = 0;
    for await (const m of reader.messages()) {
      got.add(Number(m.payload.toString('latin1', 0, m.payload.indexOf(0x20))));
      if (++count === n) break;
    }
    expect(got.size).toBe(n);
  });

  it('a subscriber at the end that does not read holds up neither the producer nor the other subscribers', async () => {
    const { server } = await start(tempDir());
    const stuck = connect(server.address.port, '127.0.0.1');
    cleanups.push(() => void stuck.destroy());
    await new Promise((r) => stuck.once('connect', r));
    // Subscribed before the producer starts (the barrier's !ACK answers after the SUB), then it reads nothing.
    let heard = '';
    stuck.on('data', (d: Buffer) => (heard += d.toString('latin1')));
    stuck.write(
      Buffer.concat([encodeFrame('REG'), encodeFrame('SET live -1'), encodeFrame('SUB live'), encodeFrame('PNG s')]),
    );
    await until(() => heard.includes('!ACK s '));
    stuck.pause();
    const reader = await subscriberAtEnd(server, 'live');
    const producer = await client(server);
    await producer.register();
    const payload = 'x'.repeat(1024);
    const n = 40_000;
    const got = (async () => {
      let count = 0;
      for await (const batch of reader.batches()) if ((count += batch.length) >= n) return count;
      return count;
    })();
    for (let i = 0; i < n; i++) {
      producer.publish('live', `${i} ${payload}`);
      if (i % 1000 === 999) await producer.flush();
    }
    expect(await producer.flush()).toEqual({ appended: n, refused: 0 });
    expect(await got).toBe(n);
    // The reader got all n; the stuck one no more than its socket buffers took. The frames kept are bounded.
    expect(server.stats().delivered).toBeLessThan(n + n / 2);
    expect(server.stats().recentFramesBytes).toBeGreaterThan(0);
    expect(server.stats().recentFramesBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(server.info('stats')).toContainEqual(['pls_recent_frames_bytes', server.stats().recentFramesBytes]);
    // It held the producer for a while (its lag passed the bound), then was let go for not reading.
    expect(server.stats().producerHolds).toBeGreaterThanOrEqual(1);
    expect(server.stats().subscribersLetGo).toBeGreaterThanOrEqual(1);
    expect(server.info('stats')).toContainEqual(['pls_subscribers_let_go', server.stats().subscribersLetGo]);
  });

  it('holds a producer while a subscriber at the end lags past the bound; its barrier is answered once it reads', async () => {
    // A hold limit of an hour: the subscriber below stops reading for as long as the test says.
    const { server } = await start(tempDir(), {
      lagLimits: { maxLag: 1 << 20, resumeLag: 1 << 17, maxHoldMs: 3_600_000 },
    });
    const slow = await subscriberAtEnd(server, 'held');
    const producer = await client(server);
    await producer.register();
    const payload = 'x'.repeat(1024);
    const n = 40_000;
    // The subscriber is not read yet: its client queues 4096 deliveries and stops reading the socket, the
    // kernel buffers fill, then its lag in the server passes 1 MiB and the producer is no longer read.
    for (let i = 0; i < n; i++) producer.publish('held', `${i} ${payload}`);
    let acked = false;
    const ack = producer.flush().then((a) => {
      acked = true;
      return a;
    });
    while (server.stats().producerHolds === 0) await new Promise((r) => setTimeout(r, 10));
    // Held: the barrier after the n PUBs is still unread, and fewer than n records were appended.
    expect(acked).toBe(false);
    expect(server.stats().published).toBeLessThan(n);

    // Reading lets the producer go on; everything arrives in order and the barrier is answered.
    let next = 0;
    for await (const batch of slow.batches()) {
      for (const m of batch) expect(Number(m.payload.toString('latin1', 0, m.payload.indexOf(0x20)))).toBe(next++);
      if (next === n) break;
    }
    expect(await ack).toEqual({ appended: n, refused: 0 });
    expect(server.stats().subscribersLetGo).toBe(0);
  });

  it('a subscriber reading history from the log never holds producers', async () => {
    const { server } = await start(tempDir(), {
      lagLimits: { maxLag: 1 << 17, resumeLag: 1 << 14, maxHoldMs: 3_600_000 },
    });
    const producer = await client(server);
    await producer.register();
    const payload = 'y'.repeat(1024);
    const old = 40_000;
    for (let i = 0; i < old; i++) producer.publish('old', `${i} ${payload}`);
    expect(await producer.flush()).toEqual({ appended: old, refused: 0 });
    // From offset 0, not read yet: it stops at its socket buffers, far before the records kept in memory.
    const reader = await client(server);
    await reader.register();
    reader.subscribe('old');
    await reader.flush();
    for (let i = 0; i < 5000; i++) producer.publish('old', `${old + i} ${payload}`);
    expect(await producer.flush()).toEqual({ appended: old + 5000, refused: 0 });
    expect(server.stats().producerHolds).toBe(0);
    let count = 0;
    for await (const batch of reader.batches()) if ((count += batch.length) >= old + 5000) break;
    expect(count).toBe(old + 5000);
  });
});
