import { appendFileSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { CorruptionError, open } from './index.js';
import { readWal } from './wal-reader.js';

/** Damage on disk must be found by its checksum and reported with the file and the offset, never ignored. */

const tempDir = useTempDirs('damage');

function flipByte(path: string, offset: number): void {
  const data = readFileSync(path);
  data[offset]! ^= 0x5a;
  writeFileSync(path, data);
}

function only(dir: string, ext: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(ext));
  expect(files.length).toBe(1);
  return join(dir, files[0]!);
}

async function caught(p: Promise<unknown>): Promise<CorruptionError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CorruptionError);
    return err as CorruptionError;
  }
  throw new Error('expected a CorruptionError');
}

const keys = Array.from({ length: 200 }, (_, i) => `key${String(i).padStart(3, '0')}`);

async function dbWithOneSegment(dir: string) {
  const db = await open(dir, { blockSize: 512 });
  await db.batch(keys.map((k) => ({ type: 'put' as const, key: k, value: `value of ${k}` })));
  await db.flush();
  return db;
}

describe('damage detection', () => {
  it('reports a flipped byte in a segment data block from get and verify, with file and offset', async () => {
    const dir = tempDir();
    const db = await dbWithOneSegment(dir);
    const seg = only(dir, '.sst');
    flipByte(seg, 20); // inside the first data block, which starts at offset 0
    const err = await caught(db.get('key000'));
    expect(err.path).toBe(seg);
    expect(err.offset).toBe(0);
    expect(err.describe()).toContain(`${seg}: offset 0:`);
    // Keys in other blocks still read.
    expect((await db.get('key199'))?.toString()).toBe('value of key199');
    const report = await db.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ file: seg, offset: 0, message: expect.stringContaining('checksum') }]);
    await db.close();
  });

  it('reports a damaged segment index: the engine still opens, reads that reach the segment fail', async () => {
    const dir = tempDir();
    await (await dbWithOneSegment(dir)).close();
    const seg = only(dir, '.sst');
    const size = readFileSync(seg).length;
    // The footer's first field is the index offset; damage the index block itself.
    const indexOffset = readFileSync(seg).readUInt32LE(size - 52);
    flipByte(seg, indexOffset + 3);
    const db = await open(dir);
    const err = await caught(db.get('key100'));
    expect(err.path).toBe(seg);
    expect(err.offset).toBe(indexOffset);
    expect((await db.verify()).problems).toEqual([
      { file: seg, offset: indexOffset, message: 'index block checksum mismatch' },
    ]);
    await db.close();
  });

  it('refuses to open over a damaged manifest, naming the file and the offset; verify reports it on a live engine', async () => {
    const dir = tempDir();
    const db = await dbWithOneSegment(dir);
    const manifest = join(dir, 'MANIFEST');
    const headerLength = readFileSync(manifest).indexOf(0x0a) + 1;
    flipByte(manifest, headerLength + 10);
    const report = await db.verify();
    expect(report.problems).toEqual([{ file: manifest, offset: headerLength, message: 'manifest checksum mismatch' }]);
    await db.close();
    const err = await caught(open(dir));
    expect(err.path).toBe(manifest);
    expect(err.offset).toBe(headerLength);
  });

  it('refuses to replay a log damaged before its tail, naming the record', async () => {
    const dir = tempDir();
    const db = await open(dir);
    for (const k of keys.slice(0, 10)) await db.put(k, `value of ${k}`);
    const live = only(dir, '.log');
    const records = readWal(live).records;
    expect(records.length).toBe(10);
    flipByte(live, records[4]!.offset + 20);
    const report = await db.verify();
    expect(report.problems).toEqual([
      { file: live, offset: records[4]!.offset, message: 'write-ahead log record checksum mismatch' },
    ]);
    await db.close();
    const err = await caught(open(dir));
    expect(err.path).toBe(live);
    expect(err.offset).toBe(records[4]!.offset);
  });

  it('catches a damaged record length instead of mistaking it for a torn tail', async () => {
    const dir = tempDir();
    const db = await open(dir);
    for (const k of keys.slice(0, 10)) await db.put(k, 'v');
    await db.close();
    const log = only(dir, '.log');
    const records = readWal(log).records;
    flipByte(log, records[3]!.offset + 5); // the length field
    const err = await caught(open(dir));
    expect(err.offset).toBe(records[3]!.offset);
  });

  it('cuts off and reports a torn log tail, keeping every complete record', async () => {
    const dir = tempDir();
    let db = await open(dir);
    for (const k of keys.slice(0, 10)) await db.put(k, `value of ${k}`);
    await db.close();
    const log = only(dir, '.log');
    const last = readWal(log).records[9]!;
    truncateSync(log, readFileSync(log).length - 3);
    db = await open(dir);
    expect((await db.stats()).recovery.tornTails).toEqual([
      {
        file: log,
        offset: last.offset,
        droppedBytes: 13 + last.payload.length - 3,
        reason: expect.stringContaining('cut short'),
      },
    ]);
    for (const k of keys.slice(0, 9)) expect((await db.get(k))?.toString()).toBe(`value of ${k}`);
    expect(await db.get(keys[9]!)).toBeUndefined();
    // Writes after recovery work and survive another reopen.
    await db.put('after', 'yes');
    await db.close();
    db = await open(dir);
    expect((await db.get('after'))?.toString()).toBe('yes');
    expect((await db.stats()).recovery.tornTails).toEqual([]);
    await db.close();
  });

  it('reads past a zero-filled (preallocated) tail without complaint, and treats a half-written header as torn', async () => {
    for (const [tail, reported] of [
      [Buffer.alloc(4096), false],
      [Buffer.from([1, 2, 3, 4, 5]), true],
      [Buffer.concat([Buffer.from([9, 9, 9, 9, 9, 9]), Buffer.alloc(4096)]), true],
    ] as const) {
      const dir = tempDir();
      let db = await open(dir);
      await db.put('a', '1');
      await db.close();
      const log = only(dir, '.log');
      const size = readFileSync(log).length;
      appendFileSync(log, tail);
      db = await open(dir);
      const tornTails = (await db.stats()).recovery.tornTails;
      if (reported)
        expect(tornTails).toEqual([
          {
            file: log,
            offset: size,
            droppedBytes: expect.any(Number),
            reason: expect.stringContaining('incomplete record header'),
          },
        ]);
      else expect(tornTails).toEqual([]);
      expect((await db.get('a'))?.toString()).toBe('1');
      await db.close();
    }
  });
});
