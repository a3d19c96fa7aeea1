import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from './atomic-write.js';

describe('writeFileAtomicSync', () => {
  it('replaces the file and leaves no temp file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-atomic-'));
    const path = join(dir, 'store.json');
    writeFileSync(path, 'old');
    writeFileAtomicSync(path, '{"v":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}');
    expect(readdirSync(dir)).toEqual(['store.json']);
  });
  it('leaves the old file intact when the write cannot happen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-atomic-'));
    const path = join(dir, 'missing-dir', 'store.json');
    expect(() => writeFileAtomicSync(path, 'x')).toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
