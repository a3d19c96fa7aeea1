import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAccessError } from '@esc/core';
import { describe, expect, it } from 'vitest';
import { OrderedWrites } from './ordered-writes.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';

const tempDir = useTempDirs('ordered-writes');

describe('OrderedWrites', () => {
  it('writes one at a time in submission order, each at its position, and reports each end as it lands', async () => {
    const path = join(tempDir(), 'f');
    const fd = openSync(path, 'w+');
    const ends: number[] = [];
    const writes = new OrderedWrites(
      (_, end) => ends.push(end),
      () => undefined,
    );
    const pieces = Array.from({ length: 20 }, (_, i) => Buffer.alloc(1000 + i * 37, 65 + i));
    const done: Promise<void>[] = [];
    let at = 0;
    for (const [i, p] of pieces.entries()) {
      // Every third submission is a writev of two halves.
      const buffers = i % 3 === 0 ? [p.subarray(0, 500), p.subarray(500)] : [p];
      done.push(writes.submit(fd, path, buffers, at));
      at += p.length;
    }
    expect(writes.busy).toBe(true);
    await Promise.all(done);
    await writes.settled();
    expect(writes.busy).toBe(false);
    closeSync(fd);
    expect(readFileSync(path)).toEqual(Buffer.concat(pieces));
    let end = 0;
    expect(ends).toEqual(pieces.map((p) => (end += p.length)));
  });

  it('fails the write that failed and every one queued behind it, and says so once', async () => {
    const path = join(tempDir(), 'ro');
    writeFileSync(path, '');
    const fd = openSync(path, 'r');
    let failures = 0;
    const writes = new OrderedWrites(
      () => undefined,
      () => failures++,
    );
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => writes.submit(fd, path, [Buffer.from('x')], i)),
    );
    closeSync(fd);
    expect(failures).toBe(1);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(FileAccessError);
    }
    await writes.settled();
    expect(readFileSync(path).length).toBe(0);
  });
});
