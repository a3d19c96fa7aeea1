import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BufferedOutput } from '@esc/core';

/** Runs `fn` with a BufferedOutput writing into a temp file in `dir` and returns what it wrote. */
export async function captureOutput(dir: string, fn: (out: BufferedOutput) => Promise<unknown>): Promise<Buffer> {
  const path = join(dir, `out-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, 'w');
  try {
    await fn(new BufferedOutput(fd));
  } finally {
    closeSync(fd);
  }
  const data = readFileSync(path);
  rmSync(path);
  return data;
}
