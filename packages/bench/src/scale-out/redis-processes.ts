import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port.js';

/** redis-server processes started for a bench run (one server, or a cluster's nodes), stopped together. */
export interface RedisProcesses {
  /** redis://… or redis-cluster://… */
  readonly url: string;
  stop(): Promise<void>;
}

function startNode(port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server on ${port} exited (${code}): ${out}`)));
  });
}

async function stopAll(children: ChildProcess[], dir: string): Promise<void> {
  await Promise.all(
    children.map((c) => {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      return exited;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}

/** One redis-server without persistence (as the cluster's nodes, so the rows compare like with like). */
export async function startRedisServer(): Promise<RedisProcesses> {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'esc-bench-redis-'));
  const port = await freePort();
  const child = await startNode(port, dir, []);
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopAll([child], dir) };
}

/** A Redis Cluster of `masters` masters without replicas, created with redis-cli --cluster create. */
export async function startRedisCluster(masters: number): Promise<RedisProcesses> {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'esc-bench-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const bus = await freePort();
      const nodeDir = join(dir, String(i));
      execFileSync('mkdir', ['-p', nodeDir]);
      children.push(
        await startNode(port, nodeDir, [
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(bus),
          '--cluster-config-file',
          'nodes.conf',
        ]),
      );
      ports.push(port);
    }
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes'], {
      stdio: 'ignore',
    });
    for (let tries = 0; ; tries++) {
      const ok = ports.every((p) =>
        execFileSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).includes(
          'cluster_state:ok',
        ),
      );
      if (ok) break;
      if (tries > 300) throw new Error('the bench cluster did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stopAll(children, dir);
    throw err;
  }
  return { url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, stop: () => stopAll(children, dir) };
}
