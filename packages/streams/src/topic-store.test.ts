import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consume } from './topic-consumer.js';
import { openStreams, type TopicStore } from './topic-store.js';
import { encodeBatch } from './record-batch.js';
import {
  InvalidBatchError,
  InvalidTopicError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  TopicExistsError,
  UnknownTopicError,
} from './stream-errors.js';
import { partitionForKey } from './partitioner.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';

const tempDir = useTempDirs('store');

function values(records: { value: Buffer | null }[]): (string | null)[] {
  return records.map((r) => (r.value === null ? null : r.value.toString()));
}

async function withStore<T>(dir: string, fn: (s: TopicStore) => Promise<T>, clock?: () => number): Promise<T> {
  const store = openStreams(dir, { clock, onWarning: () => undefined });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('TopicStore', () => {
  it('creates, lists, describes and deletes topics; refuses bad names and duplicates', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      expect(s.createTopic('orders', { partitions: 3 }).partitions).toBe(3);
      s.createTopic('audit');
      expect(s.listTopics()).toEqual(['audit', 'orders']);
      expect(() => s.createTopic('orders')).toThrow(TopicExistsError);
      expect(() => s.createTopic('../x')).toThrow(InvalidTopicError);
      expect(existsSync(join(dir, '..', 'x'))).toBe(false);
      const d = s.describeTopic('orders');
      expect(d.partitions.map((p) => [p.partition, p.earliest, p.next])).toEqual([
        [0, 0, 0],
        [1, 0, 0],
        [2, 0, 0],
      ]);
      await s.deleteTopic('audit');
      expect(s.listTopics()).toEqual(['orders']);
      expect(() => s.describeTopic('audit')).toThrow(UnknownTopicError);
      expect(readdirSync(dir).sort()).toEqual(['orders']);
    });
  });

  it('appends with dense offsets and reads back from any offset, across reopen', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      const positions = await s.append('t', [{ value: 'a' }, { value: 'b' }, { key: 'k', value: null }]);
      expect(positions).toEqual([
        { partition: 0, offset: 0 },
        { partition: 0, offset: 1 },
        { partition: 0, offset: 2 },
      ]);
      expect(await s.append('t', [{ value: 'd' }])).toEqual([{ partition: 0, offset: 3 }]);
    });
    await withStore(dir, async (s) => {
      expect(values(await s.readAll('t', 0))).toEqual(['a', 'b', null, 'd']);
      expect(values(await s.readAll('t', 0, 2))).toEqual([null, 'd']);
      expect((await s.readAll('t', 0, 2))[0]!.key?.toString()).toBe('k');
      expect(await s.readAll('t', 0, 4)).toEqual([]);
      expect(() => s.reader('t', 0, 5)).toThrow(OffsetOutOfRangeError);
      expect(() => s.reader('t', 0, 5)).toThrow(/log ends at 4/);
      expect(await s.append('t', [{ value: 'e' }])).toEqual([{ partition: 0, offset: 4 }]);
    });
  });

  it('rolls segments by segmentBytes and finds offsets through the index in any segment', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('t', { segmentBytes: 4096, indexIntervalBytes: 256 });
      for (let i = 0; i < 500; i += 10)
        await s.append(
          't',
          Array.from({ length: 10 }, (_, j) => ({ value: `value-${i + j}`.padEnd(40, '.') })),
        );
      const files = readdirSync(join(dir, 't', '0')).filter((f) => f.endsWith('.log'));
      expect(files.length).toBeGreaterThan(5);
      for (const f of files) expect(statSync(join(dir, 't', '0', f)).size).toBeLessThanOrEqual(4096);
      expect(files[0]).toBe('00000000000000000000.log');
      for (const from of [0, 1, 9, 10, 77, 250, 499, 500]) {
        const got = await s.readAll('t', 0, from);
        expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 500 - from }, (_, k) => from + k));
      }
    });
  });

  it('applies an alter made right after the last change, from this store or another one', async () => {
    // A new file's times come from the kernel's coarse clock (4 ms steps here): a create and an alter a moment
    // apart share an mtime, and a writer that compared mtimes alone kept the old segmentBytes.
    const dir = tempDir();
    await withStore(dir, async (s) => {
      await withStore(dir, async (other) => {
        for (let round = 0; round < 10; round++) {
          const name = `t${round}`;
          s.createTopic(name);
          const alterer = round % 2 === 0 ? s : other;
          await alterer.alterTopic(name, { segmentBytes: 1024 });
          for (let i = 0; i < 20; i++) await s.append(name, [{ value: 'x'.repeat(100) }]);
          const logs = readdirSync(join(dir, name, '0')).filter((f) => f.endsWith('.log'));
          expect(logs.length, `round ${round}`).toBeGreaterThan(1);
        }
      });
    });
  });

  it('rolls by segmentMs on the injected clock', async () => {
    const dir = tempDir();
    let now = 1_000_000;
    await withStore(
      dir,
      async (s) => {
        s.createTopic('t', { segmentMs: 1000, retentionMs: -1 });
        await s.append('t', [{ value: 'a' }]);
        now += 999;
        await s.append('t', [{ value: 'b' }]);
        now += 1;
        await s.append('t', [{ value: 'c' }]);
        expect(readdirSync(join(dir, 't', '0')).filter((f) => f.endsWith('.log'))).toEqual([
          '00000000000000000000.log',
          '00000000000000000002.log',
        ]);
        expect(values(await s.readAll('t', 0))).toEqual(['a', 'b', 'c']);
      },
      () => now,
    );
  });

  it('finds the first record at or after a time, with out-of-order timestamps', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      // Timestamps near 1970: no retention, or the writer's own check would delete closed segments.
      s.createTopic('t', { segmentBytes: 2048, indexIntervalBytes: 128, retentionMs: -1 });
      const stamps = Array.from({ length: 300 }, (_, i) => 1000 + i * 10 + (i % 7 === 3 ? -25 : 0));
      for (let i = 0; i < stamps.length; i += 5)
        await s.append(
          't',
          stamps.slice(i, i + 5).map((timestamp) => ({ value: 'x'.repeat(30), timestamp })),
        );
      for (const t of [0, 1000, 1001, 1005, 1500, 2000, 3985, 3990, 5000]) {
        const expected = stamps.findIndex((x) => x >= t);
        const got = await s.readAll('t', 0, { timestamp: t });
        expect(got[0]?.offset ?? 300, `time ${t}`).toBe(expected === -1 ? 300 : expected);
      }
    });
  });

  it('refuses a record over maxMessageBytes with nothing of the call written', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('t', { maxMessageBytes: 1000 });
      await expect(s.append('t', [{ value: 'ok' }, { value: 'x'.repeat(1000) }])).rejects.toThrow(RecordTooLargeError);
      await expect(s.append('t', [{ value: 'x'.repeat(1000) }])).rejects.toThrow(/larger than max.message.bytes 1000/);
      expect(await s.readAll('t', 0)).toEqual([]);
      await s.append('t', [{ value: 'x'.repeat(900) }]);
      expect((await s.readAll('t', 0)).length).toBe(1);
    });
  });

  it('puts keyed records on the partition Kafka would and spreads keyless ones', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('t', { partitions: 4 });
      const keys = ['21', 'foobar', 'abc', 'user-1', 'user-2'];
      const pos = await s.append(
        't',
        keys.map((key) => ({ key, value: key })),
      );
      expect(pos.map((p) => p.partition)).toEqual(keys.map((k) => partitionForKey(Buffer.from(k), 4)));
      const keyless = await s.append(
        't',
        Array.from({ length: 8 }, () => ({ value: 'v' })),
      );
      expect(new Set(keyless.map((p) => p.partition)).size).toBe(4);
    });
  });

  it('shares one sync among concurrent always appends (group commit) and acknowledges each', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('t');
      const acks = await Promise.all(
        Array.from({ length: 200 }, (_, i) => s.append('t', [{ value: `${i}` }], { sync: 'always' })),
      );
      expect(acks.map((a) => a[0]!.offset).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      const got = await s.readAll('t', 0);
      expect(got.length).toBe(200);
      for (const [i, a] of acks.entries()) expect(got[a[0]!.offset]!.value!.toString()).toBe(`${i}`);
    });
  });

  it('follows: a consumer waiting at the end sees records appended later, without polling', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('t');
      await s.append('t', [{ value: 'first' }]);
      const seen: string[] = [];
      const done = (async () => {
        // It ends at the third record; the idle limit only bounds a failure, so it is far above a loaded stall.
        for await (const batch of consume(s, 't', { follow: true, idleTimeoutMs: 20_000 })) {
          seen.push(...values(batch.records).map(String));
          if (seen.length === 3) break;
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      await s.append('t', [{ value: 'second' }]);
      await new Promise((r) => setTimeout(r, 50));
      await s.append('t', [{ value: 'third' }]);
      await done;
      expect(seen).toEqual(['first', 'second', 'third']);
    });
  });

  it('produces columns of keys and values: Kafka partitioning, dense offsets per partition, the same records back', async () => {
    const dir = tempDir();
    await withStore(
      dir,
      async (s) => {
        s.createTopic('cols', { partitions: 3 });
        const keys = ['a', Buffer.from('b'), 'c', null, 'a', 'ü'];
        const vals = ['1', '2', null, Buffer.from([0xff, 0]), '5', '6'];
        const ack = await s.produce('cols', { keys, values: vals });
        const parts = keys.map((k, i) =>
          k === null ? (ack.partitions as number[])[i]! : partitionForKey(Buffer.from(k), 3),
        );
        expect(ack.partitions).toEqual(parts);
        for (let p = 0; p < 3; p++) {
          const mine = vals.filter((_, i) => parts[i] === p);
          const records = await s.readAll('cols', p);
          expect(records.map((r) => r.value)).toEqual(mine.map((v) => (v === null ? null : Buffer.from(v))));
          expect(records.map((r) => r.timestamp)).toEqual(mine.map(() => 1_800_000_000_000));
          if (mine.length > 0) expect(ack.firstOffsets.get(p)).toBe(0);
        }
        await expect(s.produce('cols', { keys: ['x'], values: ['1', '2'] })).rejects.toThrow(/1 keys for 2 values/);
      },
      () => 1_800_000_000_000,
    );
  });

  it('produces a timestamp column and a header column, refusing columns of the wrong length', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('cols');
      const ack = await s.produce(
        'cols',
        {
          values: ['a', 'b', 'c'],
          timestamps: [5, 3, 9],
          header: { key: 'id', values: ['1-0', null, Buffer.from([0xff])] },
        },
        { grouped: true },
      );
      expect(ack.firstOffsets.get(0)).toBe(0);
      const records = await s.readAll('cols', 0);
      expect(records.map((r) => [r.offset, r.timestamp, r.value?.toString()])).toEqual([
        [0, 5, 'a'],
        [1, 3, 'b'],
        [2, 9, 'c'],
      ]);
      expect(records.map((r) => r.headers)).toEqual([
        [{ key: 'id', value: Buffer.from('1-0') }],
        [{ key: 'id', value: null }],
        [{ key: 'id', value: Buffer.from([0xff]) }],
      ]);
      await expect(s.produce('cols', { values: ['x'], timestamps: [1, 2] })).rejects.toThrow(
        /2 timestamps for 1 values/,
      );
      await expect(s.produce('cols', { values: ['x'], header: { key: 'h', values: [] } })).rejects.toThrow(
        /0 header values for 1 values/,
      );
    });
  });

  it('a writer holding long leases still lets another writer of the topic in while it appends without pause', async () => {
    const dir = tempDir();
    const owner = openStreams(dir, { lockLeaseMs: 1000, onWarning: () => undefined });
    const other = openStreams(dir, { lockWaitMs: 20_000, onWarning: () => undefined });
    try {
      owner.createTopic('shared');
      let otherDone = false;
      const otherAppend = (async () => {
        // Starts once the owner is writing, so its lease is held.
        await new Promise((r) => setTimeout(r, 50));
        const [pos] = await other.append('shared', [{ value: 'other' }]);
        otherDone = true;
        return pos!;
      })();
      let written = 0;
      while (!otherDone) {
        await owner.produce('shared', { values: ['owner'] }, { grouped: true });
        written++;
      }
      const pos = await otherAppend;
      const records = await owner.readAll('shared', 0);
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
      expect(records.length).toBe(written + 1);
      expect(records[pos.offset]!.value!.toString()).toBe('other');
    } finally {
      await owner.close();
      await other.close();
    }
  });

  it('appends batches a caller encoded: offsets patched, CRC checked, nothing written for a bad one', async () => {
    const dir = tempDir();
    await withStore(dir, async (s) => {
      s.createTopic('raw', { maxMessageBytes: 4096 });
      await s.append('raw', [{ key: 'first', value: 'x' }]);
      const batch = encodeBatch(
        [0, 1, 2].map((offset) => ({
          offset,
          timestamp: 1_800_000_000_000 + offset,
          key: Buffer.from(`k${offset}`),
          value: Buffer.from(`v${offset}`),
          headers: [],
        })),
      );
      expect(await s.appendBatch('raw', 0, batch)).toEqual({ partition: 0, offset: 1 });
      expect(await s.appendBatch('raw', 0, batch)).toEqual({ partition: 0, offset: 4 });
      const damaged = Buffer.from(batch);
      damaged[60]! ^= 1;
      await expect(s.appendBatch('raw', 0, damaged)).rejects.toThrow(InvalidBatchError);
      await expect(s.appendBatch('raw', 0, Buffer.alloc(5000))).rejects.toThrow(RecordTooLargeError);
      await expect(s.appendBatch('raw', 1, batch)).rejects.toThrow(/no partition 1/);
      const records = await s.readAll('raw', 0);
      expect(records.map((r) => [r.offset, r.key?.toString(), r.value?.toString()])).toEqual([
        [0, 'first', 'x'],
        [1, 'k0', 'v0'],
        [2, 'k1', 'v1'],
        [3, 'k2', 'v2'],
        [4, 'k0', 'v0'],
        [5, 'k1', 'v1'],
        [6, 'k2', 'v2'],
      ]);
      expect(s.verify('raw').flatMap((r) => r.problems)).toEqual([]);
    });
  });
});
