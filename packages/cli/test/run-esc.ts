import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built binary, as a user runs it. End-to-end tests need `pnpm build` first (`pnpm test` does it). */
export const ESC_BIN = fileURLToPath(new URL('../bin/esc.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export function runEsc(args: string[], options: SpawnSyncOptions = {}) {
  const res = spawnSync(process.execPath, [ESC_BIN, ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    ...options,
  });
  return { status: res.status, stdout: String(res.stdout), stderr: String(res.stderr) };
}
