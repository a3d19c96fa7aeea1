import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A server the benchmarks talk to (redis-server, esc serve), on a free port with a scratch dir of its own. */
export interface Server {
  label: string;
  port: number;
  child: ChildProcess;
  dir: string;
}

export async function startServer(
  label: string,
  argv: (port: number, dir: string) => string[],
  ready: RegExp,
): Promise<Server> {
  const port = await freePort();
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'esc-bench-serve-'));
  const [command, ...args] = argv(port, dir);
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const check = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve();
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', (code) => reject(new Error(`${label} exited (${code}): ${out}`)));
  });
  return { label, port, child, dir };
}

export async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
  rmSync(s.dir, { recursive: true, force: true });
}
