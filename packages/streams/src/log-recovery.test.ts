import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptionError } from '@esc/core';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from './record-batch.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams, type TopicStore } from './topic-store.js';

const tempDir = useTempDirs('recovery');

async function withStore<T>(dir: string, fn: (s: TopicStore, warnings: string[]) => Promise<T>): Promise<T> {
  const warnings: string[] = [];
  const store = openStreams(dir, { onWarning: (m) => warnings.push(m) });
  try {
    return await fn(store, warnings);
  } finally {
    await store.close();
  }
}

/** A topic with several closed segments and index entries: 40 appends of 5 records of 60 bytes. */
async function fill(dir: string): Promise<string> {
  await withStore(dir, async (s) => {
    s.createTopic('t', { segmentBytes: 4096, indexIntervalBytes: 512 });
    for (let i = 0; i < 200; i += 5)
      await s.append(
        't',
        Array.from({ length: 5 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}`.padEnd(60, '-') })),
      );
  });
  return join(dir, 't', '0');
}

function logs(partDir: string): string[] {
  return readdirSync(partDir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => join(partDir, f));
}

function offsets(records: { offset: number }[]): number[] {
  return records.map((r) => r.offset);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('log recovery', () => {
  it('cuts a torn tail of the active segment with one warning naming file and offset, and appends after it', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const active = logs(part).at(-1)!;
    const size = statSync(active).size;
    const batch = encodeBatch([{ offset: 200, timestamp: 1, key: null, value: Buffer.alloc(100, 1), headers: [] }]);
    appendFileSync(active, batch.subarray(0, 70));
    await withStore(dir, async (s, warnings) => {
      expect(offsets(await s.readAll('t', 0))).toEqual(range(0, 200));
      expect(await s.append('t', [{ value: 'after' }])).toEqual([{ partition: 0, offset: 200 }]);
      expect(warnings).toEqual([`${active}: torn tail cut at offset ${size} (70 bytes of an unfinished write)`]);
      const all = await s.readAll('t', 0);
      expect(offsets(all)).toEqual(range(0, 201));
      expect(all.at(-1)!.value!.toString()).toBe('after');
    });
  });

  it('treats zeros after the last batch (space a crash left) as a torn tail', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const active = logs(part).at(-1)!;
    const size = statSync(active).size;
    appendFileSync(active, Buffer.alloc(5000));
    await withStore(dir, async (s, warnings) => {
      await s.append('t', [{ value: 'x' }]);
      expect(warnings).toEqual([`${active}: torn tail cut at offset ${size} (5000 bytes of an unfinished write)`]);
      expect(offsets(await s.readAll('t', 0))).toEqual(range(0, 201));
    });
  });

  it('reports a flipped byte in a closed segment as a CorruptionError naming file and position, changing nothing', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const closed = logs(part)[1]!;
    const before = readFileSync(closed);
    const damaged = Buffer.from(before);
    // The second batch of the segment: past the first batch's 12-byte prefix-declared length.
    const secondBatch = 12 + damaged.readUInt32BE(8);
    damaged[secondBatch + 60]! ^= 0x01;
    writeFileSync(closed, damaged);
    await withStore(dir, async (s) => {
      const err = await s.readAll('t', 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).path).toBe(closed);
      expect((err as CorruptionError).offset).toBe(secondBatch);
      expect((err as CorruptionError).message).toMatch(/checksum mismatch/);
      // Appends go on (the damage is not in the active segment) and the damaged file is left as it was.
      await s.append('t', [{ value: 'x' }]);
    });
    expect(readFileSync(closed)).toEqual(damaged);
  });

  it('reports damage before the last batch of the active segment to a writer, not as a torn tail', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const active = logs(part).at(-1)!;
    const bytes = readFileSync(active);
    const damaged = Buffer.from(bytes);
    damaged[20]! ^= 0xff; // inside the first batch; more batches follow
    writeFileSync(active, damaged);
    truncateSync(join(part, `${active.slice(-24, -4)}.index`), 0); // the writer must scan from the start
    await withStore(dir, async (s, warnings) => {
      const err = await s.append('t', [{ value: 'x' }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).describe()).toBe(`${active}: offset 0: ${(err as CorruptionError).message}`);
      expect(warnings).toEqual([]);
    });
    expect(readFileSync(active)).toEqual(damaged);
  });

  it('rebuilds a missing or torn index with a warning, as Kafka would', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const active = logs(part).at(-1)!;
    const index = active.replace(/\.log$/, '.index');
    const timeIndex = active.replace(/\.log$/, '.timeindex');
    const good = readFileSync(index);
    rmSync(index);
    appendFileSync(timeIndex, Buffer.from([1, 2, 3]));
    await withStore(dir, async (s, warnings) => {
      await s.append('t', [{ value: 'x' }]);
      expect(warnings).toEqual([`${index}: rebuilt the offset and time indexes from ${active}`]);
      expect(offsets(await s.readAll('t', 0, 150))).toEqual(range(150, 201));
    });
    expect(readFileSync(index).subarray(0, good.length)).toEqual(good);
    expect(statSync(timeIndex).size % 12).toBe(0);
  });

  it('completes indexes that lag the log (entries a writer had not written yet) silently, as they were', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const active = logs(part).at(-1)!;
    const index = active.replace(/\.log$/, '.index');
    const timeIndex = active.replace(/\.log$/, '.timeindex');
    const good = { index: readFileSync(index), time: readFileSync(timeIndex) };
    expect(good.index.length).toBeGreaterThanOrEqual(16);
    truncateSync(index, 8);
    truncateSync(timeIndex, 12);
    await withStore(dir, async (s, warnings) => {
      await s.append('t', [{ value: 'x' }]);
      expect(warnings).toEqual([]);
      expect(offsets(await s.readAll('t', 0, 150))).toEqual(range(150, 201));
    });
    expect(readFileSync(index).subarray(0, good.index.length)).toEqual(good.index);
    expect(readFileSync(timeIndex).subarray(0, good.time.length)).toEqual(good.time);
  });

  it('reports an index entry that does not point at its batch, naming the index file and the entry', async () => {
    const dir = tempDir();
    const part = await fill(dir);
    const closed = logs(part)[0]!;
    const index = closed.replace(/\.log$/, '.index');
    const bytes = readFileSync(index);
    expect(bytes.length).toBeGreaterThanOrEqual(16);
    bytes[8 + 7]! ^= 0x04; // the position of entry 1
    writeFileSync(index, bytes);
    const target = bytes.readUInt32BE(8); // the entry's relative offset (base 0)
    await withStore(dir, async (s) => {
      const err = await s.readAll('t', 0, target).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).path).toBe(index);
      expect((err as CorruptionError).offset).toBe(8);
      // Reading from the start does not use the index and still works.
      expect(offsets(await s.readAll('t', 0))).toEqual(range(0, 200));
    });
  });

  it.each([
    // A set bit of the timestamp cleared: the entry claims older records than there are before its batch.
    ['its timestamp lowered', 'timestamp'],
    ['its offset changed', 'offset'],
  ] as const)(
    'reports a time index entry with %s to a read by time, naming the time index file and the entry',
    async (_what, field) => {
      const dir = tempDir();
      const part = await withStore(dir, async (s) => {
        s.createTopic('t', { segmentBytes: 4096, indexIntervalBytes: 512 });
        // Timestamps a second apart (and within segmentMs of now, so the segments roll by size).
        const t0 = Date.now() - 1_000_000;
        for (let i = 0; i < 200; i += 5)
          await s.append(
            't',
            Array.from({ length: 5 }, (_, j) => ({
              value: `v${i + j}`.padEnd(60, '-'),
              timestamp: t0 + 1000 * (i + j),
            })),
          );
        return join(dir, 't', '0');
      });
      const timeIndex = logs(part)[0]!.replace(/\.log$/, '.timeindex');
      const bytes = readFileSync(timeIndex);
      expect(bytes.length).toBeGreaterThanOrEqual(24);
      const entry = 12; // the second entry
      const stamp = Number(bytes.readBigInt64BE(entry));
      if (field === 'offset') bytes[entry + 11]! ^= 0x01;
      else {
        const low = bytes.readUInt32BE(entry + 4);
        bytes.writeUInt32BE(low & (low - 1), entry + 4); // its lowest set bit cleared
      }
      writeFileSync(timeIndex, bytes);
      await withStore(dir, async (s) => {
        // Just past the entry's timestamp: the lookup takes that entry (its batch starts the answer).
        const err = await s.readAll('t', 0, { timestamp: stamp + 1 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CorruptionError);
        expect((err as CorruptionError).path).toBe(timeIndex);
        expect((err as CorruptionError).offset).toBe(entry);
      });
      expect(readFileSync(timeIndex)).toEqual(bytes);
    },
  );
});
