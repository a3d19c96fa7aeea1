import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { BenchContext } from '../bench-context.js';
import { alternate, fmtRate, fmtRatio, table } from '../measure.js';
import { startRedisCluster, startRedisServer } from './redis-processes.js';

// ESC_BENCH_TOPIC_RECORDS shrinks a run (records per produce and per consume).
const RECORDS = Number(process.env.ESC_BENCH_TOPIC_RECORDS ?? 200_000);

/** The first `n` lines of the generated HDFS log, as a file to feed `esc produce`. */
function linesFile(ctx: BenchContext, n: number): string {
  const path = join(ctx.dataDir, `hdfs-lines-${n}.log`);
  const fd = openSync(ctx.hdfsLog(), 'r');
  const chunks: Buffer[] = [];
  let lines = 0;
  const buf = Buffer.alloc(1 << 20);
  try {
    while (lines < n) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      let end = got;
      for (let i = 0; i < got; i++)
        if (buf[i] === 10 && ++lines === n) {
          end = i + 1;
          break;
        }
      chunks.push(Buffer.from(buf.subarray(0, end)));
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

/**
 * `esc produce` and `esc consume` of the same records through the embedded log (the anchor), a one-partition
 * topic on one redis-server, and a six-partition topic on a three-master Redis Cluster, alternated in one run.
 */
export async function topicRows(ctx: BenchContext): Promise<string> {
  const input = linesFile(ctx, RECORDS);
  const dir = mkdtempSync(join(ctx.dataDir, 'scale-out-topics-'));
  const [single, cluster] = [await startRedisServer(), await startRedisCluster(3)];
  try {
    const targets = [
      { label: 'embedded log, 6 partitions', where: ['--dir', dir], partitions: '6' },
      { label: 'redis-server, 1 partition', where: ['--broker', single.url], partitions: '1' },
      { label: 'Redis Cluster (3 masters), 6 partitions', where: ['--broker', cluster.url], partitions: '6' },
    ];
    for (const t of targets)
      execFileSync(ctx.esc[0]!, [
        ...ctx.esc.slice(1),
        'topic',
        'create',
        'bench',
        '--partitions',
        t.partitions,
        ...t.where,
      ]);
    const load = loadavg()[0]!.toFixed(1);
    const produce = alternate(
      targets.map((t) => ({ label: t.label, argv: [...ctx.esc, 'produce', 'bench', ...t.where], stdinFile: input })),
      ctx.rounds,
    );
    const consume = alternate(
      targets.map((t) => ({
        label: t.label,
        argv: [...ctx.esc, 'consume', 'bench', '--max', String(RECORDS), ...t.where],
        stdout: 'null' as const,
      })),
      ctx.rounds,
    );
    const rate = (ms: number) => (RECORDS * 1000) / ms;
    const rows = targets.map((t, i) => [
      t.label,
      fmtRate(rate(produce[i]!.medianMs)),
      fmtRatio(produce[0]!.medianMs / produce[i]!.medianMs),
      fmtRate(rate(consume[i]!.medianMs)),
      fmtRatio(consume[0]!.medianMs / consume[i]!.medianMs),
    ]);
    return [
      `Topics: \`esc produce\` of ${RECORDS.toLocaleString('en-US')} HDFS log lines (keyless, so spread round robin) and \`esc consume --max ${RECORDS}\` of them, whole CLI runs, ${ctx.rounds} alternating rounds, medians; ratios against the embedded log measured in the same run (load average ${load} at the start).`,
      '',
      table(['target', 'produce records/s', '÷ embedded', 'consume records/s', '÷ embedded'], rows),
      '',
      'The Redis rows run without replicas or persistence (redis-server defaults apart from `--save ""`). On this 2-core machine every cluster master, the CLI and the embedded log share the same two cores, so six partitions over three masters cannot show scaling: the cluster row measures the cost of the cluster client (one pipeline per partition, one connection per master) rather than its capacity. To measure scaling, put each master on its own host (or pinned cores, `taskset`), run one producer process per partition from separate client hosts, and compare records/s for 1, 3 and 6 masters with partitions ≥ masters; the figure to watch is records/s per master staying flat as masters are added.',
    ].join('\n');
  } finally {
    await Promise.all([single.stop(), cluster.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
