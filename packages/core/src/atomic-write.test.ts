import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@esc/test-fixtures';
import { describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from './atomic-write.js';

describe('writeFileAtomicSync', () => {
  const scratch = tempDir('esc-atomic');
  let n = 0;
  const freshDir = () => {
    const dir = join(scratch, String(n++));
    mkdirSync(dir);
    return dir;
  };
  it('replaces the file and leaves no temp file behind', () => {
    const dir = freshDir();
    const path = join(dir, 'store.json');
    writeFileSync(path, 'old');
    writeFileAtomicSync(path, '{"v":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}');
    expect(readdirSync(dir)).toEqual(['store.json']);
  });
  it('leaves the old file intact when the write cannot happen', () => {
    const dir = freshDir();
    const path = join(dir, 'missing-dir', 'store.json');
    expect(() => writeFileAtomicSync(path, 'x')).toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
