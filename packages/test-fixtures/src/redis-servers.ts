// Debian's redis-server for the tests that run esc on Redis (issue 14): one server, or a Redis Cluster of 3 masters
// with a replica each, on free loopback ports in temp dirs; every process is stopped and every dir removed by stop().
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort, onFreePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

const run = promisify(execFile);

export interface RedisNode {
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL (or `signal`) and wait for the exit; the node's dir stays until stop(). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** One command through redis-cli on this node (the reply as redis-cli prints it, trimmed). */
  cli(...args: string[]): Promise<string>;
}

export interface RedisTestServer extends RedisNode {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  stop(): Promise<void>;
}

export interface RedisTestCluster {
  /** redis-cluster://127.0.0.1:P1,… (every node, so a client finds the cluster whichever node is down). */
  readonly url: string;
  readonly nodes: readonly RedisNode[];
  /** The nodes that are masters now (after a failover, a former replica). */
  masters(): Promise<RedisNode[]>;
  /**
   * Starts a killed node again on its port with its dir (its nodes.conf): a master that was failed over rejoins
   * as a replica of the node that took its slots. Returns the new node, which replaces the old one in `nodes`.
   */
  restart(node: RedisNode): Promise<RedisNode>;
  /** Resolves once every slot is served and the cluster says ok (after a kill: once the replica took over). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function uniquePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function startNode(port: number, dir: string, extra: string[]): Promise<RedisNode> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start: ${out}`)), 20_000);
    const onData = (data: Buffer) => {
      out += data.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({
          port,
          child,
          kill: async (signal = 'SIGKILL') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
          cli: async (...args) => (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim(),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data: Buffer) => {
      out += data.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on ${port} exited (${code}) before it was ready: ${out}`));
    });
  });
}

/** One redis-server, no persistence unless `args` ask for it (`--appendonly yes`). */
export async function startRedis(args: string[] = []): Promise<RedisTestServer> {
  const dir = makeTempDir('esc-redis');
  // Again on another port when the one found was taken before redis-server bound it.
  const node = await onFreePort((port) => startNode(port, dir.path, args)).catch((err: unknown) => {
    dir.remove();
    throw err;
  });
  return {
    ...node,
    url: `redis://127.0.0.1:${node.port}`,
    stop: async () => {
      await node.kill('SIGTERM');
      dir.remove();
    },
  };
}

/**
 * A Redis Cluster on loopback: `masters` masters (default 3) with `replicas` replicas each (default 1), slots
 * spread by `redis-cli --cluster create`. The node timeout is short (2 s) so a failover test takes seconds.
 */
export async function startRedisCluster(
  options: { masters?: number; replicas?: number; args?: string[] } = {},
): Promise<RedisTestCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const count = masters * (1 + replicas);
  const ports = await uniquePorts(count * 2);
  const dir = makeTempDir('esc-redis-cluster');
  const nodes: RedisNode[] = [];
  const nodeDir = (i: number) => `${dir.path}/node-${i}`;
  const nodeArgs = (i: number) => [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-port',
    String(ports[count + i]),
    '--cluster-node-timeout',
    '2000',
    ...(options.args ?? []),
  ];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    dir.remove();
  };
  try {
    for (let i = 0; i < count; i++) {
      mkdirSync(nodeDir(i));
      // The ports were probed before the first node started: by a node's turn, seconds later on a loaded machine,
      // another process may hold its port or its bus port. Then it starts on two other free ones.
      for (let attempt = 1; ; attempt++) {
        try {
          nodes.push(await startNode(ports[i]!, nodeDir(i), nodeArgs(i)));
          break;
        } catch (err) {
          if (attempt >= 5 || !/address already in use/i.test((err as Error).message)) throw err;
          ports[i] = await freePort();
          ports[count + i] = await freePort();
        }
      }
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  const live = () => nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
  const cluster: RedisTestCluster = {
    url: `redis-cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    nodes,
    masters: async () => {
      const roles = await Promise.all(live().map(async (node) => [node, await node.cli('role')] as const));
      return roles.filter(([, role]) => role.startsWith('master')).map(([node]) => node);
    },
    restart: async (node) => {
      const i = nodes.indexOf(node);
      if (i < 0) throw new Error(`node ${node.port} is not one of this cluster's`);
      await node.kill();
      nodes[i] = await startNode(node.port, nodeDir(i), nodeArgs(i));
      return nodes[i]!;
    },
    waitHealthy: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const infos = await Promise.all(live().map((node) => node.cli('cluster', 'info').catch(() => '')));
        const ok = infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384'));
        // A replica must also have finished its first sync, or a write acknowledged now may be lost on failover.
        const syncing = (await Promise.all(live().map((node) => node.cli('info', 'replication').catch(() => '')))).some(
          (info) => info.includes('role:slave') && !info.includes('master_link_status:up'),
        );
        if (ok && !syncing && (await cluster.masters()).length >= masters) return;
        if (Date.now() > deadline) throw new Error(`the Redis Cluster did not become healthy: ${infos.join(' | ')}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    stop,
  };
  try {
    await cluster.waitHealthy();
  } catch (err) {
    await stop();
    throw err;
  }
  return cluster;
}
