import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { bytesDiff, tempDir } from '@esc/test-fixtures';
import { describe, expect, it } from 'vitest';
import { BufferedOutput } from './buffered-output.js';

let scratchNo = 0;
const scratchDir = tempDir('esc-out');
let dirNo = 0;
/** A fresh directory inside scratchDir (removed with it). */
function freshDir(): string {
  const dir = join(scratchDir, `dir-${dirNo++}`);
  mkdirSync(dir);
  return dir;
}
function scratchFile(): { fd: number; read(): Buffer } {
  const path = join(scratchDir, `out-${scratchNo++}`);
  const fd = openSync(path, 'w');
  return {
    fd,
    read() {
      closeSync(fd);
      return readFileSync(path);
    },
  };
}

describe('BufferedOutput', () => {
  it('writes strings, buffers and ranges in order, including writes larger than a block', () => {
    const dir = freshDir();
    const path = join(dir, 'out');
    const fd = openSync(path, 'w');
    const out = new BufferedOutput(fd, 16);
    const big = 'x'.repeat(100);
    out.write('héllo ');
    out.write(Buffer.from('world\n'));
    out.writeRange(Buffer.from('--abc--'), 2, 5);
    out.write(big);
    out.write('ü');
    out.flush();
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(`héllo world\nabc${big}ü`);
  });

  it('keeps bytes exact into a file or pipe, invalid UTF-8 included (not a terminal)', () => {
    const dir = freshDir();
    const path = join(dir, 'out');
    const fd = openSync(path, 'w');
    const bytes = Buffer.from([0x61, 0xff, 0xe2, 0x82, 0x0a, 0xc3]);
    const out = new BufferedOutput(fd, 4);
    out.write(bytes);
    out.writeRange(bytes, 1, 3);
    out.flush();
    closeSync(fd);
    expect(bytesDiff(readFileSync(path), Buffer.concat([bytes, bytes.subarray(1, 3)]))).toBeNull();
  });

  it('on a terminal shows invalid UTF-8 as U+FFFD, across block boundaries and in large writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }),
        fc.integer({ min: 4, max: 32 }),
        (pieces, blockSize) => {
          const { fd, read } = scratchFile();
          // A stand-in for a TTY: the decision is what isatty(fd) would give on a terminal.
          const out = new BufferedOutput(fd, blockSize, { replaceInvalidUtf8: true });
          const written: Buffer[] = [];
          pieces.forEach((piece, i) => {
            if (i % 3 === 0) out.write(piece);
            else if (i % 3 === 1) out.writeRange(Buffer.from(piece), 0, piece.length);
            else out.write('é✓'); // strings are valid UTF-8 and may sit between the halves of a cut character
            written.push(i % 3 === 2 ? Buffer.from('é✓') : Buffer.from(piece));
          });
          out.flush();
          const whole = Buffer.concat(written);
          expect(bytesDiff(read(), Buffer.from(whole.toString('utf8'), 'utf8'))).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decides by itself that a pseudo-terminal gets U+FFFD (run under script(1))', () => {
    const module = fileURLToPath(new URL('./buffered-output.ts', import.meta.url));
    const script = `
      import { BufferedOutput } from ${JSON.stringify(module)};
      const out = new BufferedOutput(1, 4);
      out.write(Buffer.from([0x3c, 0x61, 0xff, 0xe2, 0x82]));
      out.write(Buffer.from([0xac, 0x3e]));
      out.flush();`;
    const res = spawnSync('script', ['-qec', `node --import tsx --input-type=module -e "$SCRIPT"`, '/dev/null'], {
      env: { ...process.env, SCRIPT: script },
    });
    expect(res.status).toBe(0);
    expect(res.stdout.toString('utf8')).toContain('<a\uFFFD€>');
  });

  it('raises BrokenPipeError when the reader goes away, without killing the process', () => {
    const module = fileURLToPath(new URL('./buffered-output.ts', import.meta.url));
    // A child writes endlessly into `head -c 10`; it must see BrokenPipeError (not EPIPE crash or SIGPIPE).
    const script = `
      import { BufferedOutput } from ${JSON.stringify(module)};
      const out = new BufferedOutput(1, 1024);
      try { for (;;) { out.write('line of output\\n'); } }
      catch (err) { process.stderr.write(err.constructor.name); process.exitCode = 0; }`;
    const res = spawnSync('sh', ['-c', `node --import tsx --input-type=module -e "$SCRIPT" | head -c 10 >/dev/null`], {
      env: { ...process.env, SCRIPT: script },
      encoding: 'utf8',
    });
    expect(res.stderr).toContain('BrokenPipeError');
    expect(res.status).toBe(0);
  });

  it('writes everything through a pipe that Node made non-blocking, into a slow reader', () => {
    const module = fileURLToPath(new URL('./buffered-output.ts', import.meta.url));
    // Touching process.stdout makes libuv switch the piped fd 1 to non-blocking; the reader starts late, so
    // the pipe fills and writes hit EAGAIN.
    const script = `
      import { BufferedOutput } from ${JSON.stringify(module)};
      process.stdout;
      const out = new BufferedOutput(1);
      const line = 'x'.repeat(1023) + '\\n';
      for (let i = 0; i < 8192; i++) out.write(line);
      out.flush();`;
    const res = spawnSync('sh', ['-c', `node --import tsx --input-type=module -e "$SCRIPT" | (sleep 0.3; wc -c)`], {
      env: { ...process.env, SCRIPT: script },
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(String(8192 * 1024));
  });
});
