import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesDiff } from '@esc/test-fixtures';
import { FileAccessError } from './errors.js';
import {
  countNewlines,
  hasBinaryData,
  openInput,
  readChunks,
  readLines,
  stripCr,
  STDIN_NAME,
  type ReadChunksOptions,
} from './line-source.js';

const dir = mkdtempSync(join(tmpdir(), 'esc-line-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function fileWith(data: Buffer): string {
  const path = join(dir, `f${fileNo++}`);
  writeFileSync(path, data);
  return path;
}

/** The model: split after every newline; a final line without one is a line too. */
function naiveLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 10) {
      lines.push(data.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < data.length) lines.push(data.subarray(start));
  return lines;
}

/** Everything `read` yields for the file, copied: with reuseBuffer a chunk is only valid until the next one. */
async function collect(
  read: typeof readChunks | typeof readLines,
  path: string,
  options: ReadChunksOptions,
): Promise<Buffer[]> {
  const source = openInput(path);
  const out: Buffer[] = [];
  try {
    for await (const piece of read(source, options)) out.push(Buffer.from(piece));
  } finally {
    source.close();
  }
  return out;
}
const chunksOf = (path: string, options: ReadChunksOptions) => collect(readChunks, path, options);
const linesOf = (path: string, options: ReadChunksOptions) => collect(readLines, path, options);

// Bytes rich in newlines, carriage returns, NULs and invalid UTF-8, so chunk edges fall everywhere.
const logBytes = fc
  .array(fc.oneof(fc.constantFrom(10, 13, 0, 0xff, 0xc3), fc.integer({ min: 32, max: 126 })), { maxLength: 400 })
  .map((a) => Buffer.from(a));

describe('readChunks', () => {
  for (const reuseBuffer of [false, true]) {
    it(`yields whole lines that concatenate to the input, at any chunk size (reuseBuffer ${reuseBuffer})`, async () => {
      await fc.assert(
        fc.asyncProperty(logBytes, fc.integer({ min: 1, max: 64 }), async (data, chunkSize) => {
          const chunks = await chunksOf(fileWith(data), { chunkSize, reuseBuffer });
          expect(bytesDiff(Buffer.concat(chunks), data)).toBeNull();
          // Every chunk but the last ends just after a newline.
          for (const c of chunks.slice(0, -1)) expect(c[c.length - 1]).toBe(10);
          expect(chunks.filter((c) => c.length === 0)).toEqual([]);
        }),
        { numRuns: 150 },
      );
    });

    it(`readLines equals a naive split (reuseBuffer ${reuseBuffer})`, async () => {
      await fc.assert(
        fc.asyncProperty(logBytes, fc.integer({ min: 1, max: 64 }), async (data, chunkSize) => {
          const lines = await linesOf(fileWith(data), { chunkSize, reuseBuffer });
          expect(lines.map((l) => l.toString('latin1'))).toEqual(naiveLines(data).map((l) => l.toString('latin1')));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('reads a 16 MiB line in 64 KiB blocks, and the buffer shrinks back after it', async () => {
    const long = Buffer.alloc(16 * 1024 * 1024 + 5, 'x');
    const data = Buffer.concat([Buffer.from('a\r\n'), long, Buffer.from('\nb\r\nc')]);
    const path = fileWith(data);
    for (const reuseBuffer of [false, true]) {
      const lines = await linesOf(path, { chunkSize: 64 * 1024, reuseBuffer });
      expect(lines.map((l) => l.length)).toEqual([2, long.length, 2, 1]);
      expect(bytesDiff(lines[1]!, long)).toBeNull();
      expect(
        lines
          .map(stripCr)
          .map(String)
          .filter((l) => l.length < 5),
      ).toEqual(['a', 'b', 'c']);
    }
    const source = openInput(path);
    const sizes: number[] = [];
    for await (const chunk of readChunks(source, { chunkSize: 64 * 1024, reuseBuffer: true }))
      sizes.push(chunk.buffer.byteLength);
    source.close();
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(long.length);
    expect(sizes[sizes.length - 1]).toBeLessThan(1024 * 1024);
  });

  it('starts at a byte offset', async () => {
    const path = fileWith(Buffer.from('one\ntwo\nthree'));
    expect((await linesOf(path, { start: 4, reuseBuffer: true })).map(String)).toEqual(['two', 'three']);
    expect((await linesOf(path, { start: 4 })).map(String)).toEqual(['two', 'three']);
  });

  it('reads a pipe (standard input) in both modes', async () => {
    const data = Buffer.from('x\r\ny\n'.repeat(50_000));
    for (const reuse of [false, true]) {
      const script = `import { openInput, readLines } from ${JSON.stringify(new URL('./line-source.ts', import.meta.url).pathname)};
        let n = 0, bytes = 0; for await (const l of readLines(openInput('-'), { chunkSize: 1000, reuseBuffer: ${reuse} })) { n++; bytes += l.length; }
        process.stdout.write(JSON.stringify({ n, bytes }));`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      const out: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stdin.end(data);
      await new Promise((resolve) => child.on('close', resolve));
      expect(JSON.parse(Buffer.concat(out).toString())).toEqual({ n: 100_000, bytes: 150_000 });
    }
  });
});

describe('openInput', () => {
  it('names standard input and reports missing files and directories as grep does', () => {
    expect(openInput('-').name).toBe(STDIN_NAME);
    const missing = join(dir, 'missing.log');
    expect(() => openInput(missing)).toThrow(FileAccessError);
    expect(() => openInput(missing)).toThrow('No such file or directory');
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(() => openInput(sub)).toThrow('Is a directory');
  });

  // root reads any file, so there the case cannot be made: skipped (and shown as skipped), not passed.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file as grep does', () => {
    const locked = fileWith(Buffer.from('secret\n'));
    chmodSync(locked, 0);
    const error = (() => {
      try {
        openInput(locked).close();
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(FileAccessError);
    expect((error as FileAccessError).describe()).toBe(`${locked}: Permission denied`);
  });
});

describe('helpers', () => {
  it('countNewlines counts within a range', () => {
    const b = Buffer.from('a\nb\n\nc\nd');
    expect(countNewlines(b)).toBe(4);
    expect(countNewlines(b, 2, 5)).toBe(2);
    expect(countNewlines(b, 8, 9)).toBe(0);
  });
  it('hasBinaryData is the NUL test, stripCr drops one trailing CR', () => {
    expect(hasBinaryData(Buffer.from('abc\xff'))).toBe(false);
    expect(hasBinaryData(Buffer.from('a\0b'))).toBe(true);
    expect(String(stripCr(Buffer.from('x\r\r')))).toBe('x\r');
    expect(String(stripCr(Buffer.from('')))).toBe('');
  });
});
