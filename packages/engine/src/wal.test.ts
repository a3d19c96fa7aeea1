import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { CorruptionError } from '@esc/core';
import { RecordType, frameRecord } from './wal-format.js';
import { readWal } from './wal-reader.js';
import { WalWriter } from './wal-writer.js';
import { decodeBatch, encodeBatch, type BatchEntry } from './write-batch.js';

const tempDir = useTempDirs('wal');

const entry: fc.Arbitrary<BatchEntry> = fc.record({
  key: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
  value: fc.option(
    fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
});

function plain(entries: BatchEntry[]) {
  return entries.map((e) => ({ key: e.key.toString('hex'), value: e.value === null ? null : e.value.toString('hex') }));
}

describe('write-ahead log', () => {
  it('reads back every batch written', async () => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(entry, { maxLength: 5 }), { maxLength: 20 }), async (batches) => {
        const path = join(dir, `${Math.random()}.log`);
        const w = new WalWriter(path, 1);
        let seq = 1;
        for (const b of batches) {
          w.append(frameRecord(encodeBatch(seq, b).record, RecordType.Batch));
          seq += b.length;
        }
        await w.close();
        const { records, torn } = readWal(path);
        expect(torn).toBeNull();
        expect(records.map((r) => plain(decodeBatch(r.payload).entries))).toEqual(batches.map(plain));
      }),
      { numRuns: 50 },
    );
  });

  it('treats a log cut at any byte as a torn tail, preallocated or not: the complete records before the cut survive', async () => {
    const dir = tempDir();
    const path = join(dir, '000001.log');
    const w = new WalWriter(path, 1);
    const ends: number[] = [];
    for (let i = 0; i < 4; i++)
      ends.push(
        w.append(
          frameRecord(
            encodeBatch(i + 1, [{ key: Buffer.from(`k${i}`), value: Buffer.from('value'.repeat(i + 1)) }]).record,
            RecordType.Batch,
          ),
        ),
      );
    await w.close();
    const full = readFileSync(path);
    for (let cut = 0; cut < full.length; cut++) {
      // As a plain file cut short, and as a preallocated one: the same cut followed by zeros.
      for (const data of [full.subarray(0, cut), Buffer.concat([full.subarray(0, cut), Buffer.alloc(4096)])]) {
        const { records, torn, validLength } = readWal(path, data);
        const complete = ends.filter((e) => e <= cut).length;
        expect(records.length).toBe(complete);
        expect(validLength).toBe(complete === 0 ? 0 : ends[complete - 1]);
        expect(torn === null).toBe(cut === validLength);
      }
    }
  });

  it('raises CorruptionError for a bad record followed by good ones', async () => {
    const dir = tempDir();
    const path = join(dir, '000001.log');
    const w = new WalWriter(path, 1);
    const first = w.append(
      frameRecord(encodeBatch(1, [{ key: Buffer.from('a'), value: Buffer.from('1') }]).record, RecordType.Batch),
    );
    w.append(
      frameRecord(encodeBatch(2, [{ key: Buffer.from('b'), value: Buffer.from('2') }]).record, RecordType.Batch),
    );
    await w.close();
    const data = readFileSync(path);
    data[first - 1]! ^= 1;
    expect(() => readWal(path, data)).toThrow(CorruptionError);
    try {
      readWal(path, data);
    } catch (err) {
      expect((err as CorruptionError).offset).toBe(0);
    }
  });

  it('group commit: 64 concurrent synced writers share one fdatasync', async () => {
    const dir = tempDir();
    const counters = { syncs: 0 };
    const w = new WalWriter(join(dir, '000001.log'), 1, counters);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 64; i++)
      waits.push(
        w.waitDurable(
          w.append(
            frameRecord(encodeBatch(i + 1, [{ key: Buffer.from(`k${i}`), value: null }]).record, RecordType.Batch),
          ),
        ),
      );
    await Promise.all(waits);
    // The sync starts on the next turn of the event loop, after all 64 appended.
    expect(counters.syncs).toBe(1);
    await w.waitDurable();
    expect(counters.syncs).toBe(1);
    await w.close();
  });

  it('group commit: writers released by one sync append before the next starts, so the group stays whole', async () => {
    const dir = tempDir();
    const counters = { syncs: 0 };
    const w = new WalWriter(join(dir, '000001.log'), 1, counters);
    let seq = 0;
    const writer = async () => {
      for (let i = 0; i < 10; i++)
        await w.waitDurable(
          w.append(frameRecord(encodeBatch(++seq, [{ key: Buffer.from('k'), value: null }]).record, RecordType.Batch)),
        );
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    // 160 synced writes in rounds of 16: one sync per round.
    expect(counters.syncs).toBe(10);
    await w.close();
  });

  it('writes deferred records before the sync and before any later immediate record, in log order', async () => {
    const dir = tempDir();
    const path = join(dir, '000001.log');
    const counters = { syncs: 0 };
    const w = new WalWriter(path, 1, counters);
    const rec = (i: number) =>
      frameRecord(
        encodeBatch(i, [{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }]).record,
        RecordType.Batch,
      );
    const a = w.append(rec(1), true);
    const b = w.append(rec(2), true);
    // Deferred records are not in the file yet…
    expect(readFileSync(path).length).toBe(0);
    // …until an immediate record must follow them.
    w.append(rec(3));
    expect(readWal(path).records.map((r) => decodeBatch(r.payload).seq)).toEqual([1, 2, 3]);
    const c = w.append(rec(4), true);
    await Promise.all([w.waitDurable(a), w.waitDurable(b), w.waitDurable(c)]);
    expect(readWal(path).records.map((r) => decodeBatch(r.payload).seq)).toEqual([1, 2, 3, 4]);
    expect(counters.syncs).toBe(1);
    await w.close();
  });
});
