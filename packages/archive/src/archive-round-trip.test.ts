import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesDiff, HDFS_2K, loghubLog, makeEdgeFiles, makeTempDir } from '@esc/test-fixtures';
import { ArchiveReader } from './archive-reader.js';
import { archiveOf, concatFiles, readAll, roundTrip } from './test-helpers/round-trip.js';

const SYSTEMS = ['Apache', 'BGL', 'HPC', 'Hadoop', 'Linux', 'OpenSSH', 'OpenStack', 'Proxifier', 'Spark', 'Zookeeper'];
const LOGHUB = [HDFS_2K, ...SYSTEMS.map(loghubLog)];

const temp = makeTempDir('esc-archive');
const edge = makeEdgeFiles();
afterAll(() => {
  temp.remove();
  edge.cleanup();
});

describe('archive round trip', () => {
  it.each(LOGHUB)('reproduces %s byte for byte, in one block and in many', (file) => {
    const data = readFileSync(file);
    expect(bytesDiff(roundTrip(temp.path, data), data)).toBeNull();
    expect(bytesDiff(roundTrip(temp.path, data, { blockBytes: 8192, level: 1 }), data)).toBeNull();
  });

  it('keeps several inputs apart, with their line counts', () => {
    const path = archiveOf(temp.path, LOGHUB, { blockBytes: 100_000, level: 1 });
    expect(bytesDiff(readAll(path), concatFiles(LOGHUB))).toBeNull();
    const reader = ArchiveReader.open(path);
    const lines = new Map<number, number>();
    for (const b of reader.blocks) lines.set(b.input, (lines.get(b.input) ?? 0) + b.lines);
    reader.close();
    LOGHUB.forEach((file, n) => {
      const text = readFileSync(file, 'latin1');
      const expected = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      expect(lines.get(n)).toBe(expected);
    });
  });

  it.each(Object.keys(edge.files))('reproduces the edge file %s', (name) => {
    const data = readFileSync(edge.files[name]!);
    expect(bytesDiff(roundTrip(temp.path, data, { level: 1 }), data)).toBeNull();
    // Small blocks cut the 16 MiB line into pieces that go on from block to block.
    expect(bytesDiff(roundTrip(temp.path, data, { level: 0, blockBytes: 1 << 20 }), data)).toBeNull();
  });

  it('reproduces lines that repeat a value (stored once, REPEAT_MARK in the template)', () => {
    const lines = Array.from({ length: 500 }, (_, i) => {
      const blk = `blk_${(i * 7919) % 1000003}${i}`;
      return i % 3 === 0
        ? `Deleting block ${blk} file /data/subdir${i % 64}/${blk} and ${blk}=${blk}`
        : `Receiving block ${blk} src: /10.0.${i % 256}.${i % 7}:50010 dest: /10.0.${i % 256}.${i % 7}:50010`;
    });
    const data = Buffer.from(`${lines.join('\n')}\n`);
    expect(bytesDiff(roundTrip(temp.path, data, { blockBytes: 8192, level: 1 }), data)).toBeNull();
  });

  it('reproduces random bytes, with and without many line feeds', () => {
    const junk = randomBytes(300_000);
    expect(bytesDiff(roundTrip(temp.path, junk, { blockBytes: 65_536 }), junk)).toBeNull();
    const lines = Buffer.from(junk);
    for (let i = 0; i < lines.length; i += 1 + (lines[i]! % 40)) lines[i] = 10;
    expect(bytesDiff(roundTrip(temp.path, lines, { blockBytes: 65_536 }), lines)).toBeNull();
  });

  it.each([
    ['hdfs-300.v1.esca', HDFS_2K, 1],
    ['linux-300.v2.esca', loghubLog('Linux'), 2],
  ])('reads %s, written by the previous version of the format', (fixture, source, version) => {
    // The first 300 lines of the sample, archived by esc before packed integers (version 3).
    const path = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
    const reader = ArchiveReader.open(path);
    expect(reader.version).toBe(version);
    reader.close();
    const text = readFileSync(source, 'latin1');
    const want = Buffer.from(`${text.split('\n').slice(0, 300).join('\n')}\n`, 'latin1');
    expect(bytesDiff(readAll(path), want)).toBeNull();
  });

  it('reproduces arbitrary byte strings (property)', () => {
    // Log-like bytes hit the tokenizer's and the column codecs' cases; any bytes hit everything else.
    const logBytes = fc
      .array(fc.constantFrom(...Buffer.from('0123456789 -_.:/=,\r\n\x11\x00ab\xff\xc3')), { maxLength: 3000 })
      .map((a) => Uint8Array.from(a));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 3000 }), logBytes);
    fc.assert(
      fc.property(bytes, fc.integer({ min: 16, max: 4096 }), (data, blockBytes) => {
        const buf = Buffer.from(data);
        expect(bytesDiff(roundTrip(temp.path, buf, { level: 0, blockBytes }), buf)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
