import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openKv } from '@esc/kv';
import type { BenchContext } from '../bench-context.js';
import { alternate, fmtMs, fmtRatio, median, table } from '../measure.js';
import { startRedisServer } from './redis-processes.js';

// ESC_BENCH_SCALE_OUT_OPS shrinks a run: operations per latency pair (library and redis-benchmark alike).
const OPS = Number(process.env.ESC_BENCH_SCALE_OUT_OPS ?? 3_000);
/**
 * Latency pairs per round. Short pairs, many of them: on this shared machine a neighbour's burst lasts seconds, so
 * a pair (redis-benchmark, then the library, ~0.1 s each) mostly sees one load, and the median of the pairs'
 * ratios drops the pairs it split; long rounds compared by their separate medians did not.
 */
const PAIRS_PER_ROUND = 5;
/** The key redis-benchmark's GET and SET use without -r, and its default 3-byte payload: every row reads the same. */
const KEY = 'key:__rand_int__';
const VALUE = 'xxx';

/**
 * Mean microseconds per operation of `redis-benchmark -c 1`: one client, one request in flight, so 1 / (requests/s)
 * is its mean round trip, client included.
 */
function redisBenchmarkUs(port: number, test: 'get' | 'set'): number {
  const csv = execFileSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-c', '1', '-n', String(OPS), '--csv', '-t', test],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const rps = Number(JSON.parse(`[${csv.trim().split('\n').pop()!}]`)[1]);
  if (!Number.isFinite(rps) || rps <= 0) throw new Error(`redis-benchmark: no rate in ${csv}`);
  return 1e6 / rps;
}

/** Mean microseconds per operation of the library, each awaited before the next (the same closed loop). */
async function libraryUs(kv: Awaited<ReturnType<typeof openKv>>, test: 'get' | 'set'): Promise<number> {
  const t0 = performance.now();
  if (test === 'get') for (let i = 0; i < OPS; i++) await kv.get(KEY);
  else for (let i = 0; i < OPS; i++) await kv.set(KEY, VALUE);
  return ((performance.now() - t0) * 1000) / OPS;
}

/** `esc kv get/set` on redis-server through the CLI and the library, beside redis-cli and redis-benchmark. */
export async function kvRows(ctx: BenchContext): Promise<string> {
  const server = await startRedisServer();
  const { url } = server;
  const port = Number(new URL(url).port);
  const dir = mkdtempSync(join(ctx.dataDir, 'scale-out-kv-'));
  const file = join(dir, 'kv.json');
  const load0 = loadavg()[0]!;
  let perProcess: ReturnType<typeof alternate>;
  const latency: { test: 'get' | 'set'; bench: number; lib: number; ratio: number; pairs: number }[] = [];
  const kv = await openKv(url);
  try {
    execFileSync('redis-cli', ['-p', String(port), 'set', KEY, VALUE]);
    execFileSync(ctx.esc[0]!, [...ctx.esc.slice(1), 'kv', '--store', file, 'set', KEY, VALUE]);
    ctx.log('scale-out: kv per process (redis-cli, esc kv on redis://, esc kv on a file)');
    const cli = ['redis-cli', '-p', String(port)];
    const esc = (store: string) => [...ctx.esc, 'kv', '--store', store];
    perProcess = alternate(
      [
        { label: 'redis-cli get', argv: [...cli, 'get', KEY] },
        { label: 'esc kv get, redis://', argv: [...esc(url), 'get', KEY] },
        { label: 'esc kv get, embedded file', argv: [...esc(file), 'get', KEY] },
        { label: 'redis-cli set', argv: [...cli, 'set', KEY, VALUE] },
        { label: 'esc kv set, redis://', argv: [...esc(url), 'set', KEY, VALUE] },
        { label: 'esc kv set, embedded file', argv: [...esc(file), 'set', KEY, VALUE] },
      ],
      ctx.rounds,
    );
    for (const test of ['get', 'set'] as const) {
      ctx.log(`scale-out: kv ${test} latency, library against redis-benchmark -c 1 (${OPS} ops a round)`);
      await libraryUs(kv, test); // warm-up: the connection, V8's optimiser
      const bench: number[] = [];
      const lib: number[] = [];
      const ratios: number[] = [];
      for (let r = 0; r < ctx.rounds * PAIRS_PER_ROUND; r++) {
        bench.push(redisBenchmarkUs(port, test));
        lib.push(await libraryUs(kv, test));
        ratios.push(lib.at(-1)! / bench.at(-1)!);
      }
      latency.push({ test, bench: median(bench), lib: median(lib), ratio: median(ratios), pairs: ratios.length });
    }
  } finally {
    await kv.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const load1 = loadavg()[0]!;
  const anchorOf = (label: string) =>
    perProcess.find((s) => s.label === `redis-cli ${/\b(get|set)\b/.exec(label)![1]}`)!;
  const processRows = perProcess.map((s) => [
    `\`${s.label}\``,
    fmtMs(s.medianMs),
    s.label.startsWith('redis-cli') ? '1.00× (anchor)' : fmtRatio(s.medianMs / anchorOf(s.label).medianMs),
  ]);
  const latencyRows = latency.map(({ test, bench, lib, ratio }) => [
    test.toUpperCase(),
    `${bench.toFixed(1)} µs`,
    `${lib.toFixed(1)} µs`,
    `${fmtRatio(ratio)}${ratio <= 1.2 ? '' : ' (target missed)'}`,
  ]);
  return `### kv on redis-server

One \`redis-server\` on loopback (no persistence: \`--save ''\`, no AOF), ${ctx.rounds} alternating rounds, medians; load
average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end (2 cores shared with other work).

Per process: one command from start to exit, as a shell script pays it (Node's start-up dominates \`esc\`; the
embedded file is the same command on \`--store kv.json\`, for scale). Ratio: ÷ \`redis-cli\` doing the same.

${table(['command', 'median', 'ratio'], processRows)}

Per operation: one client, one request in flight: \`redis-benchmark -c 1 -n ${OPS} -t get|set\` (mean latency = 1 /
requests/s) and then \`openKv('redis://…')\` awaiting ${OPS} \`get\` / \`set\` in turn (esc's SET adds GET to learn the
previous value, as \`SetResult\` reports it), ${latency[0]?.pairs ?? 0} such pairs; the latencies are the medians
of each side, the ratio the median of the pairs' ratios (a pair runs in ~0.2 s, so both sides mostly share one load
on this shared machine). Target: the library within 1.2× of redis-benchmark.

${table(['op', 'redis-benchmark -c 1', 'library (openKv redis://)', 'ratio'], latencyRows)}`;
}
