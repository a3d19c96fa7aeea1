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

/**
 * Starts the server on a free port; again on another one when it could not bind it (between the probe and the
 * bind, another process, as a test run beside the bench, can take the port).
 */
export async function startServer(
  label: string,
  argv: (port: number, dir: string) => string[],
  ready: RegExp,
): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'esc-bench-serve-'));
    try {
      return await startOn(label, port, dir, argv(port, dir), ready);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      const taken = /EADDRINUSE|address already in use/i.test((err as Error).message);
      if (attempt >= 5 || !taken) throw err;
    }
  }
}

async function startOn(label: string, port: number, dir: string, argv: string[], ready: RegExp): Promise<Server> {
  const [command, ...args] = argv;
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
