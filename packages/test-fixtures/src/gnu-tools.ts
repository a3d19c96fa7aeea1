import { spawnSync } from 'node:child_process';

/** Runs a GNU tool, the reference the differential tests compare with; returns its stdout bytes, stderr and status. */
export function gnu(tool: 'head' | 'tail' | 'cat', args: string[], input?: Buffer) {
  const res = spawnSync(`/usr/bin/${tool}`, args, { input, maxBuffer: 1 << 30 });
  return { stdout: res.stdout, stderr: res.stderr.toString(), status: res.status };
}
