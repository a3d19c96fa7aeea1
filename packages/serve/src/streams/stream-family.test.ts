import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStreams, type TopicStore } from '@esc/streams';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext, CommandFamily, KeyspaceView } from '../command-spec.js';
import type { Reply } from '../reply.js';
import { createStreamFamily } from './stream-family.js';

/** A server's worth of the family over a temp dir, with a clock the test moves, and fake connections. */
class Harness {
  now = 1_000_000;
  store!: TopicStore;
  family!: CommandFamily;
  strings = new Set<string>();

  constructor(readonly dir: string) {}

  async open(): Promise<this> {
    this.store = openStreams(this.dir, { onWarning: () => undefined });
    const stringView: KeyspaceView = {
      typeName: 'string',
      has: (key) => this.strings.has(key.toString()),
      keys: () => [...this.strings].map((k) => Buffer.from(k)),
      size: () => this.strings.size,
      delete: async (key) => this.strings.delete(key.toString()),
      clear: async () => this.strings.clear(),
    };
    this.family = await createStreamFamily({
      store: this.store,
      sync: 'always',
      clock: () => this.now,
      keyspaces: () => [stringView, this.family.keyspace!],
    });
    return this;
  }

  async reopen(): Promise<this> {
    await this.family.close?.();
    await this.store.close();
    return this.open();
  }

  connection(protocol: 2 | 3 = 2): CommandContext & { close(): void } {
    let close!: () => void;
    const closed = new Promise<void>((r) => {
      close = r;
    });
    return {
      connection: { id: 1, protocol, name: null, push: () => undefined, closed },
      server: { now: () => this.now },
      close,
    };
  }

  /** Runs a command as the dispatcher would (arity already fine) and renders the reply as plain values. */
  async call(line: string, ctx = this.connection()): Promise<unknown> {
    return plain(await this.send(line, ctx));
  }

  send(line: string, ctx: CommandContext): Reply | Promise<Reply> {
    const args = line.split(' ').map((a) => Buffer.from(a));
    const name = args[0]!.toString().toLowerCase();
    const spec = this.family.commands.find((c) => c.name === name);
    if (spec === undefined) throw new Error(`no ${name}`);
    return spec.handler(args, ctx);
  }

  blocked(): number {
    return Number(this.family.info!('stats').find(([k]) => k === 'stream_blocked_readers')![1]);
  }
}

function plain(r: Reply): unknown {
  switch (r.kind) {
    case 'bulk':
      return r.value === null ? null : r.value.toString();
    case 'array':
    case 'set':
    case 'push':
      return r.items === null ? null : r.items.map(plain);
    case 'map':
      return r.entries.map(([k, v]) => [plain(k), plain(v)]);
    case 'error':
      return { error: r.message };
    case 'simple':
      return r.value;
    case 'integer':
      return Number(r.value);
    default:
      return r;
  }
}

const dirs: string[] = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.family.close?.();
    await h.store.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function harness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'esc-streams-family-'));
  dirs.push(dir);
  const h = await new Harness(dir).open();
  harnesses.push(h);
  return h;
}

describe('the stream family', () => {
  it('writes the XADDs of one turn of the event loop as one record batch, readable before the write lands', async () => {
    const h = await harness();
    // Explicit IDs of 1970: the records' timestamps, which must not roll a segment per write.
    const ms = 1;
    // 20 clients' XADDs in one turn: seen at once by a read in the same turn, written as one batch after it.
    const replies = Array.from({ length: 20 }, (_, i) => h.send(`XADD s ${ms}-${i + 1} n ${i}`, h.connection()));
    expect(await h.call('XLEN s')).toBe(20);
    expect(((await h.call(`XRANGE s ${ms}-20 +`)) as unknown[]).length).toBe(1);
    expect((await Promise.all(replies)).map(plain)).toEqual(Array.from({ length: 20 }, (_, i) => `${ms}-${i + 1}`));
    expect(await h.call(`XADD s ${ms}-21 n 20`)).toBe(`${ms}-21`);
    // The segment's batches: the record count at byte 38 of a batch, its length after the 12-byte prefix at byte 8.
    const log = readFileSync(join(h.dir, 's', '0', '00000000000000000000.log'));
    const counts: number[] = [];
    for (let at = 0; at < log.length; at += 12 + log.readUInt32BE(at + 8)) counts.push(log.readUInt32BE(at + 38));
    expect(counts).toEqual([20, 1]);
  });

  it('keeps entries, deletions, trims and group state across a restart', async () => {
    const h = await harness();
    for (let i = 1; i <= 6; i++) expect(await h.call(`XADD s ${i}-0 n ${i}`)).toBe(`${i}-0`);
    h.now += 1;
    expect(await h.call('XADD s * n 7')).toBe(`${h.now}-0`);
    expect(await h.call('XDEL s 3-0')).toBe(1);
    expect(await h.call('XTRIM s MAXLEN 5')).toBe(1);
    expect(await h.call('XGROUP CREATE s g 0')).toBe('OK');
    expect(await h.call('XREADGROUP GROUP g alice COUNT 2 STREAMS s >')).toEqual([
      [
        's',
        [
          ['2-0', ['n', '2']],
          ['4-0', ['n', '4']],
        ],
      ],
    ]);
    h.now += 50;
    await h.call('XREADGROUP GROUP g bob COUNT 1 STREAMS s >');
    await h.call('XACK s g 2-0');
    await h.call('XCLAIM s g carol 0 4-0 RETRYCOUNT 5 JUSTID');
    const before = {
      range: await h.call('XRANGE s - +'),
      len: await h.call('XLEN s'),
      pending: await h.call('XPENDING s g - + 10'),
      groups: await h.call('XINFO GROUPS s'),
      stream: await h.call('XINFO STREAM s'),
      consumers: (await h.call('XINFO CONSUMERS s g')) as unknown[],
    };
    expect(before.len).toBe(5);
    expect(before.pending).toEqual([
      ['4-0', 'carol', 0, 5],
      ['5-0', 'bob', 0, 1],
    ]);
    await h.reopen();
    expect(await h.call('XRANGE s - +')).toEqual(before.range);
    expect(await h.call('XLEN s')).toBe(5);
    expect(await h.call('XPENDING s g - + 10')).toEqual(before.pending);
    expect(await h.call('XINFO GROUPS s')).toEqual(before.groups);
    expect(await h.call('XINFO STREAM s')).toEqual(before.stream);
    expect(((await h.call('XINFO CONSUMERS s g')) as unknown[]).length).toBe(before.consumers.length);
    // The ID counter goes on from the last ID, and the group from its last-delivered ID.
    expect(await h.call('XADD s 7-* n 8')).toEqual({
      error: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
    });
    expect(await h.call('XREADGROUP GROUP g alice STREAMS s >')).toEqual([
      [
        's',
        [
          ['6-0', ['n', '6']],
          [`${h.now - 50}-0`, ['n', '7']],
        ],
      ],
    ]);
  });

  it('wakes a blocked XREADGROUP with another client’s XADD, and forgets a blocked client that disconnects', async () => {
    const h = await harness();
    await h.call('XGROUP CREATE s g $ MKSTREAM');
    const reader = h.connection();
    const waiting = h.send('XREADGROUP GROUP g c BLOCK 0 STREAMS s >', reader);
    expect(waiting).toBeInstanceOf(Promise);
    expect(h.blocked()).toBe(1);
    expect(await h.call('XADD s 1-0 a 1')).toBe('1-0');
    expect(plain(await waiting)).toEqual([['s', [['1-0', ['a', '1']]]]]);
    expect(h.blocked()).toBe(0);
    expect(await h.call('XPENDING s g')).toEqual([1, '1-0', '1-0', [['c', '1']]]);

    const xread = h.connection(3);
    const other = h.send('XREAD BLOCK 0 STREAMS s other $ $', xread);
    expect(h.blocked()).toBe(2);
    await h.call('XADD other 5-0 b 2');
    expect(plain(await other)).toEqual([['other', [['5-0', ['b', '2']]]]]);

    const gone = h.connection();
    const never = h.send('XREAD BLOCK 0 STREAMS s $', gone);
    expect(h.blocked()).toBe(1);
    gone.close();
    expect(plain(await never)).toBeNull();
    expect(h.blocked()).toBe(0);

    const timed = h.send('XREAD BLOCK 20 STREAMS s $', h.connection());
    expect(plain(await timed)).toBeNull();
  });

  it('answers WRONGTYPE for another type’s key and shows its keys to the other families', async () => {
    const h = await harness();
    h.strings.add('str');
    const wrongtype = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
    expect(await h.call('XADD str * a 1')).toEqual(wrongtype);
    expect(await h.call('XLEN str')).toEqual(wrongtype);
    expect(await h.call('XRANGE str - +')).toEqual(wrongtype);
    expect(await h.call('XREAD STREAMS str 0')).toEqual(wrongtype);
    expect(await h.call('XGROUP CREATE str g $ MKSTREAM')).toEqual(wrongtype);
    expect(await h.call('XINFO STREAM str')).toEqual(wrongtype);
    h.store.createTopic('wide', { partitions: 3 });
    expect(await h.call('XADD wide * a 1')).toEqual(wrongtype);
    expect(await h.call('XRANGE wide - +')).toEqual(wrongtype);
    await h.call('XADD user:1 1-0 a 1');
    const view = h.family.keyspace!;
    expect(view.typeName).toBe('stream');
    expect(view.has(Buffer.from('user:1'))).toBe(true);
    expect([...view.keys()].map(String)).toEqual(['user:1']);
    expect(await view.delete(Buffer.from('user:1'))).toBe(true);
    expect(view.size()).toBe(0);
    expect(await h.call('XLEN user:1')).toBe(0);
    await h.reopen();
    expect(await h.call('XRANGE user:1 - +')).toEqual([]);
  });

  it('gives back the space of trimmed entries: segments wholly below the log start are deleted after the trim', async () => {
    const h = await harness();
    h.store.createTopic('small', { segmentBytes: 400, retentionMs: -1 });
    for (let i = 1; i <= 200; i++) await h.call(`XADD small ${i}-0 f ${i}`);
    const segments = () => h.store.describeTopic('small').partitions[0]!;
    expect(segments().segments).toBeGreaterThan(20);
    expect(await h.call('XTRIM small MAXLEN 10')).toBe(190);
    await new Promise((r) => setTimeout(r, 1300));
    // Everything below offset 190 is gone from the disk; the ten entries left are all there.
    expect(segments().earliest).toBe(190);
    expect(segments().segments).toBeLessThanOrEqual(10);
    const last10 = Array.from({ length: 10 }, (_, k) => [`${191 + k}-0`, ['f', String(191 + k)]]);
    expect(await h.call('XRANGE small - +')).toEqual(last10);
    await h.reopen();
    expect(await h.call('XLEN small')).toBe(10);
    expect(await h.call('XRANGE small - +')).toEqual(last10);
    const info = (await h.call('XINFO STREAM small')) as [string, unknown][];
    expect(info.find(([k]) => k === 'entries-added')![1]).toBe(200);
  });

  it('reads a topic written by the topic API (esc produce) as a stream with derived IDs', async () => {
    const h = await harness();
    await h.store.append('produced', [
      { key: 'k', value: 'v1', timestamp: 5000 },
      { value: 'v2', timestamp: 4000 },
      { value: 'v3', timestamp: 6000 },
    ]);
    expect(await h.call('XRANGE produced - +')).toEqual([
      ['5000-0', ['key', 'k', 'value', 'v1']],
      ['5000-1', ['value', 'v2']],
      ['6000-2', ['value', 'v3']],
    ]);
    expect(await h.call('XADD produced 6000-* x 1')).toBe('6000-3');
  });
});
