import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { naiveLastLines } from './test-helpers/naive-lines.js';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesDiff } from '@esc/test-fixtures';
import { findTailStart } from './backward-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'esc-backward-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tailOf(data: Buffer, n: number, blockSize: number): Buffer {
  const path = join(dir, 'data');
  writeFileSync(path, data);
  const fd = openSync(path, 'r');
  try {
    return data.subarray(findTailStart(fd, data.length, n, blockSize));
  } finally {
    closeSync(fd);
  }
}

// Bytes biased towards newlines and CR so that short inputs still hold many (and empty) lines.
const content = fc
  .array(fc.oneof(fc.constant(10), fc.constant(13), fc.integer({ min: 0, max: 255 })), { maxLength: 400 })
  .map((bytes) => Buffer.from(bytes));

describe('findTailStart', () => {
  it('matches a naive split for random content, N and block sizes', () => {
    fc.assert(
      fc.property(content, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 70 }), (data, n, block) => {
        expect(bytesDiff(tailOf(data, n, block), naiveLastLines(data, n))).toBeNull();
      }),
      { numRuns: 400 },
    );
  });

  it('handles a file of only newlines, none, and a final line without newline', () => {
    expect(tailOf(Buffer.from('\n\n\n'), 2, 1).toString()).toBe('\n\n');
    expect(tailOf(Buffer.from(''), 5, 4).toString()).toBe('');
    expect(tailOf(Buffer.from('a\nb\nc'), 1, 2).toString()).toBe('c');
    expect(tailOf(Buffer.from('a\nb\nc\n'), 1, 2).toString()).toBe('c\n');
    expect(tailOf(Buffer.from('abc'), 3, 1).toString()).toBe('abc');
  });
});
