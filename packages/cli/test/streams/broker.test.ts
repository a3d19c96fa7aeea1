import {
  type RedisTestCluster,
  type RedisTestServer,
  startRedis,
  startRedisCluster,
  tempDir,
} from '@esc/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESC_BIN, run, runEsc, startChild } from '../run-esc.js';
import { type RunningServer, startEscServe } from '../serve/serve-harness.js';

// `esc produce/consume/topic --broker URL` (and $ESC_BROKER) against a redis-server, a Redis Cluster (3 masters
// with a replica each) and an `esc serve`: the embedded log's output and exit codes on each.
let server: RedisTestServer;
let cluster: RedisTestCluster;
let serve: RunningServer;
beforeAll(async () => {
  [server, cluster, serve] = await Promise.all([startRedis(), startRedisCluster(), startEscServe()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop(), serve?.stop()]);
});

const root = tempDir('esc-broker-e2e');
let dirs = 0;
/** A fresh embedded topics directory under `root`. */
const dir = () => `${root}/${dirs++}`;
const LINES = `${Array.from({ length: 40 }, (_, i) => `user-${i % 7}=event ${i}`).join('\n')}\n`;

/** NDJSON records without their timestamps, in partition and offset order. */
function records(stdout: string) {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { timestamp, ...rest } = JSON.parse(line) as { timestamp: string; partition: number; offset: number };
      expect(Date.parse(timestamp)).not.toBeNaN();
      return rest;
    })
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

const urlOf = (target: string) =>
  target === 'redis-server'
    ? server.url
    : target === 'a Redis Cluster'
      ? cluster.url
      : `redis://127.0.0.1:${serve.port}`;

describe('esc produce / consume / topic --broker', () => {
  it.each(['redis-server', 'a Redis Cluster', 'esc serve'])(
    'writes and reads as the embedded log does, on %s',
    async (target) => {
      const url = urlOf(target);
      const embedded = ['--dir', dir()];
      const broker = ['--broker', url];
      for (const where of [embedded, broker])
        expect(runEsc(['topic', 'create', 'orders', '--partitions', '3', ...where]).stdout).toBe(
          'Created topic orders.\n',
        );
      // Keyed records land on the same partitions at the same offsets (Kafka's murmur2 partitioner in both).
      const produced = [embedded, broker].map((where) =>
        runEsc(['produce', 'orders', '--key-separator', '=', '--json', ...where], { input: LINES }),
      );
      for (const r of produced) expect(r.status).toBe(0);
      expect(produced[1]!.stdout).toBe(produced[0]!.stdout);
      const consumed = [embedded, broker].map((where) => runEsc(['consume', 'orders', '-o', 'ndjson', ...where]));
      expect(records(consumed[1]!.stdout)).toEqual(records(consumed[0]!.stdout));
      expect(records(consumed[1]!.stdout)).toHaveLength(40);
      // Through $ESC_BROKER too; --offset, --partition and --max as in the embedded log.
      const env = { ESC_BROKER: url };
      const part = runEsc(['consume', 'orders', '--partition', '1', '--offset', '2', '--max', '3'], { env });
      const want = runEsc(['consume', 'orders', '--partition', '1', '--offset', '2', '--max', '3', ...embedded]);
      expect(part.stdout).toBe(want.stdout);
      expect(runEsc(['topic', 'list'], { env }).stdout).toBe('orders\n');
      const described = runEsc(['topic', 'describe', 'orders', '--json'], { env });
      const d = JSON.parse(described.stdout) as { partitions: { next: number; key: string }[] };
      expect(d.partitions.map((p) => p.next).reduce((a, b) => a + b)).toBe(40);
      expect(d.partitions[0]!.key).toBe('esc:topic:{orders:0}');
      // A group reads on from where it stopped: every record once across the two runs.
      const first = runEsc(['consume', 'orders', '--group', 'g', '--max', '15'], { env });
      const rest = runEsc(['consume', 'orders', '--group', 'g'], { env });
      expect([...first.stdout.split('\n'), ...rest.stdout.split('\n')].filter(Boolean).sort()).toEqual(
        LINES.trim()
          .split('\n')
          .map((l) => l.split('=')[1])
          .sort(),
      );
      expect(runEsc(['consume', 'orders', '--group', 'g'], { env }).stdout).toBe('');
      // Errors: one line, exit 2, as the embedded log's.
      const errors: [string[], RegExp][] = [
        [['consume', 'nope'], /^esc: topic 'nope' does not exist\n$/],
        [
          ['consume', 'orders', '--partition', '0', '--offset', '999'],
          /^esc: offset 999 of orders\/0 is out of range: the log ends at \d+\n$/,
        ],
        [['topic', 'create', 'orders'], /^esc: topic 'orders' already exists\n$/],
        [['topic', 'create', 'c', '--cleanup-policy', 'compact'], /no log cleaner/],
        [['topic', 'compact', 'orders'], /^esc: topic compact is for the embedded log/],
        [['produce', 'nope', '--no-create'], /^esc: topic 'nope' does not exist\n$/],
      ];
      for (const [args, message] of errors) {
        const r = runEsc(args, { env, input: 'x\n' });
        expect(r.status, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(message);
      }
      expect(runEsc(['topic', 'delete', 'orders'], { env }).stdout).toBe('Deleted topic orders.\n');
      expect(runEsc(['topic', 'list'], { env }).stdout).toBe('');
    },
    120_000,
  );

  it('--wait-replicas: met on the cluster (a replica per master), an error on a server without replicas', () => {
    const ok = runEsc(['produce', 'acked', '--broker', cluster.url, '--wait-replicas', '1', '--json'], {
      input: 'a\nb\nc\n',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(3);
    const short = runEsc(['produce', 'acked', '--broker', server.url, '--wait-replicas', '1', '--wait-timeout', '50'], {
      input: 'a\n',
    });
    expect(short.status).toBe(2);
    expect(short.stderr).toBe('esc: fewer than 1 replica(s) acknowledged the write in time (acked/0: 0)\n');
    expect(runEsc(['produce', 'acked', '--wait-replicas', '1', '--dir', dir()], { input: 'a\n' }).stderr).toMatch(
      /--wait-replicas needs --broker/,
    );
  });

  it('a SIGKILLed group member’s records stay pending, and another member claims them (--claim-idle)', async () => {
    const env = { ESC_BROKER: cluster.url };
    expect(runEsc(['topic', 'create', 'jobs', '--partitions', '6'], { env }).status).toBe(0);
    const values = Array.from({ length: 60 }, (_, i) => `job ${i}`);
    expect(runEsc(['produce', 'jobs'], { env, input: `${values.join('\n')}\n` }).status).toBe(0);
    const dying = startChild(process.execPath, [
      new URL('./fixtures/dying-member.mjs', import.meta.url).pathname,
      cluster.url,
      'jobs',
      'workers',
      'dying',
      '10',
    ]);
    await dying.until(() => dying.stdout().trim().split('\n').length === 10, 'the member to take 10 records');
    dying.child.kill('SIGKILL');
    expect(await dying.exit).toBeNull();
    const takenByDying = dying.stdout().trim().split('\n');
    // Another member gets only new records: the dead one's are pending, not lost and not redelivered.
    const alive = await run(
      process.execPath,
      [ESC_BIN, 'consume', 'jobs', '--group', 'workers', '--consumer', 'alive', '--max', '20', '-o', 'ndjson'],
      { env },
    );
    expect(alive.code).toBe(0);
    const aliveRecords = records(alive.stdout);
    for (const r of aliveRecords) expect(takenByDying).not.toContain(`${r.partition}/${r.offset}`);
    // A rescuer claims what was left pending (XAUTOCLAIM, min idle 0) and reads the rest.
    const rescuer = runEsc(
      ['consume', 'jobs', '--group', 'workers', '--consumer', 'rescuer', '--claim-idle', '0', '-o', 'ndjson'],
      { env },
    );
    expect(rescuer.status).toBe(0);
    const rescued = records(rescuer.stdout);
    for (const id of takenByDying) expect(rescued.map((r) => `${r.partition}/${r.offset}`)).toContain(id);
    const all = [...aliveRecords, ...rescued].map((r) => (r as { value: string }).value);
    expect(all).toHaveLength(60);
    expect([...all].sort()).toEqual([...values].sort());
    expect(runEsc(['consume', 'jobs', '--group', 'workers', '--claim-idle', '0'], { env }).stdout).toBe('');
  }, 120_000);
});
