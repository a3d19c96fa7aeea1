import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BufferedOutput } from './buffered-output.js';

describe('BufferedOutput', () => {
  it('writes strings, buffers and ranges in order, including writes larger than a block', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-out-'));
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
