import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bytesDiff, HDFS_2K, loghubLog, makeTempDir } from '@esc/test-fixtures';
import { BLOCK_HEADER_SIZE } from './archive-format.js';
import { ArchiveDamageError, ArchiveReader } from './archive-reader.js';
import { archiveOf } from './test-helpers/round-trip.js';

const FILES = [HDFS_2K, loghubLog('Spark'), loghubLog('OpenSSH')];
const temp = makeTempDir('esc-archive-damage');
afterAll(() => temp.remove());

let path: string;
beforeEach(() => {
  path = archiveOf(temp.path, FILES, { blockBytes: 60_000, level: 1 });
});

function flipByte(at: number): void {
  const data = readFileSync(path);
  data[at] = data[at]! ^ 0x40;
  writeFileSync(path, data);
}

function blockList() {
  const reader = ArchiveReader.open(path);
  reader.close();
  return reader.blocks;
}

/** Each block's bytes, or the error it raised. */
function readEach(): (Buffer | ArchiveDamageError)[] {
  const reader = ArchiveReader.open(path);
  try {
    return reader.blocks.map((_, i) => {
      try {
        return reader.blockBytes(i);
      } catch (err) {
        if (err instanceof ArchiveDamageError) return err;
        throw err;
      }
    });
  } finally {
    reader.close();
  }
}

function expectOriginal(block: { input: number; inputOffset: number; inputLength: number }, got: unknown) {
  const original = readFileSync(FILES[block.input]!).subarray(block.inputOffset, block.inputOffset + block.inputLength);
  expect(got).toBeInstanceOf(Buffer);
  expect(bytesDiff(got as Buffer, original)).toBeNull();
}

describe('a damaged archive', () => {
  it('names the block whose payload has a flipped byte, and reads every other block', () => {
    const blocks = blockList();
    expect(blocks.length).toBeGreaterThan(6);
    const victim = 4;
    flipByte(blocks[victim]!.offset + BLOCK_HEADER_SIZE + 10);
    const results = readEach();
    for (const [i, got] of results.entries()) {
      if (i !== victim) {
        expectOriginal(blocks[i]!, got);
        continue;
      }
      expect(got).toBeInstanceOf(ArchiveDamageError);
      const err = got as ArchiveDamageError;
      expect(err.block).toBe(victim);
      expect(err.offset).toBe(blocks[victim]!.offset);
      expect(err.describe()).toBe(
        `${path}: offset ${blocks[victim]!.offset}: block ${victim} (HDFS_2k.log): payload checksum mismatch`,
      );
    }
  });

  it('names a block whose header has a flipped byte', () => {
    const blocks = blockList();
    flipByte(blocks[2]!.offset + 13);
    const results = readEach();
    expect((results[2] as ArchiveDamageError).message).toBe('block 2 (HDFS_2k.log): block header checksum mismatch');
    for (const i of [0, 1, 3, blocks.length - 1]) expectOriginal(blocks[i]!, results[i]);
  });

  it('finds the blocks by scanning when the index is damaged', () => {
    const blocks = blockList();
    flipByte(readFileSync(path).length - 40);
    const scanned = ArchiveReader.open(path);
    expect(scanned.indexProblem).toBe('index checksum mismatch');
    expect(scanned.blocks).toEqual(blocks);
    scanned.close();
    for (const [i, got] of readEach().entries()) expectOriginal(blocks[i]!, got);
  });

  it('reads the whole blocks of an archive cut short', () => {
    const blocks = blockList();
    const cut = blocks[5]!.offset + 100;
    truncateSync(path, cut);
    const scanned = ArchiveReader.open(path);
    expect(scanned.indexProblem).toBe('footer damaged or missing');
    expect(scanned.blocks).toEqual(blocks.slice(0, 5));
    scanned.close();
    for (const [i, got] of readEach().entries()) expectOriginal(blocks[i]!, got);
  });
});
