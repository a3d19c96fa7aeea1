import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@esc/test-fixtures';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEsc } from '../run-esc.js';

const hex = (text: string) => crc32(text).toString(16).padStart(8, '0');

/** A version 2 snapshot as the previous release wrote it: entries unsorted, no `bytes` in the header. */
function versionTwoSnapshot(entries: [string, string][]): string {
  const header = `{"format":"esc-kv-snapshot","version":2,"generation":1,"createdAt":"2026-11-22T04:43:30.687Z","keys":${entries.length},`;
  const lines = entries.map(([k, v]) => {
    const text = `${JSON.stringify(k)}:{"value":${JSON.stringify(v)},`;
    return `${text}"c":"${hex(text)}"}`;
  });
  const covered = `${header}"c":"${hex(header)}",\n"entries":{\n${lines.join(',\n')}\n},\n`;
  return `${covered}"crc32":"${hex(covered)}"}\n`;
}

// `esc kv get` binary-searches a sorted (version 3) snapshot; older stores still open and are upgraded.
describe('esc kv on a sorted snapshot', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let path: string;
  // Exit status, stdout and stderr (the harness also reports the signal, always null here).
  const kv = (...args: string[]) => {
    const { status, stdout, stderr } = runEsc(['kv', '--store', path, ...args]);
    return { status, stdout, stderr };
  };
  beforeEach(() => {
    dir = makeTempDir('esc-kv-e2e');
    path = join(dir.path, 'kv.json');
  });
  afterEach(() => dir.remove());

  it('reads a version 2 store, and its next compaction writes version 3, sorted', () => {
    writeFileSync(
      path,
      versionTwoSnapshot([
        ['zeta', 'z'],
        ['alpha', 'a'],
        ['10', 'ten'],
        ['9', 'nine'],
      ]),
    );
    expect(kv('get', 'alpha')).toEqual({ status: 0, stdout: 'a\n', stderr: '' });
    expect(kv('compact')).toEqual({ status: 0, stdout: 'OK\n', stderr: '' });
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^\{"format":"esc-kv-snapshot","version":3,"generation":2,.*"keys":4,"bytes":\d+,"c":/);
    expect(
      text
        .split('\n')
        .slice(2, 6)
        .map((l) => l.slice(0, l.indexOf(':'))),
    ).toEqual(['"10"', '"9"', '"alpha"', '"zeta"']);
    expect(Number(/"bytes":(\d+)/.exec(text)![1])).toBe(Buffer.byteLength(text));
    for (const [k, v] of [
      ['zeta', 'z'],
      ['alpha', 'a'],
      ['10', 'ten'],
      ['9', 'nine'],
    ])
      expect(kv('get', k!)).toEqual({ status: 0, stdout: `${v}\n`, stderr: '' });
    expect(kv('verify')).toEqual({ status: 0, stdout: 'OK\n', stderr: '' });
  });

  it('finds every key, and misses every absent one, in a compacted store of 3,000 keys', () => {
    const pairs: string[] = [];
    for (let i = 0; i < 3000; i += 2) pairs.push(`key:${i}`, `value ${i}`);
    expect(kv('mset', ...pairs).status).toBe(0);
    expect(kv('compact').status).toBe(0);
    for (let i = 0; i < 3000; i += 97) {
      expect(kv('get', `key:${i}`), `key:${i}`).toEqual(
        i % 2 === 0 ? { status: 0, stdout: `value ${i}\n`, stderr: '' } : { status: 1, stdout: '', stderr: '' },
      );
    }
    expect(kv('get', 'a')).toEqual({ status: 1, stdout: '', stderr: '' }); // before the first key
    expect(kv('get', 'z')).toEqual({ status: 1, stdout: '', stderr: '' }); // after the last
  });

  it('a damaged line is reported by the get that reads it and by verify; nothing is written', () => {
    expect(kv('mset', 'a', '1', 'b', '2', 'c', '3').status).toBe(0);
    expect(kv('compact').status).toBe(0);
    const original = readFileSync(path);
    const damaged = Buffer.from(original);
    damaged[original.indexOf('"2"') + 1] = '7'.charCodeAt(0); // line 4, the entry of b
    writeFileSync(path, damaged);
    const line4 = `esc: ${path}:4: snapshot checksum mismatch: line 4 fails its own checksum (`;
    for (const args of [['get', 'b'], ['verify'], ['clear']]) {
      const r = kv(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.slice(0, line4.length), args.join(' ')).toBe(line4);
      expect(r.stderr.split('\n'), args.join(' ')).toHaveLength(2);
    }
    expect(readFileSync(path)).toEqual(damaged);
  });
});
