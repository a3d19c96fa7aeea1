import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh directory with `remove()`; prefer `tempDir`, which removes it by itself. */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A fresh directory under the system temp dir, removed after the tests of the file (or of the describe block)
 * that called it, whether they passed or not. Call it at the top level of a file or in a describe block.
 */
export function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  afterAll(() => dir.remove());
  return dir.path;
}
