import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { alternate, fmtMiB, fmtMs, fmtRate, fmtRatio, table } from '../measure.js';

/**
 * esc parse on the generated HDFS log, each command alternated with the bare-regex baseline
 * (src/baselines/hdfs-regex-baseline.ts) in the same run: `--stats` (full statistics) and NDJSON records
 * into a pipe. Targets (issue 3): --stats ≤ 1.0× the baseline and ≥ 1 M lines/s; NDJSON ≥ 400 k lines/s;
 * peak RSS ≤ 150 MiB.
 */
export const suite: BenchSuite = {
  name: 'parser',
  title: 'parser (esc parse)',
  async run(ctx) {
    const log = ctx.hdfsLog();
    const lines = countLines(log);
    const baseline = {
      label: 'baseline: chunks + HDFS regex + level counts',
      argv: [process.execPath, join(REPO_ROOT, 'packages/bench/dist/baselines/hdfs-regex-baseline.js'), log],
    };
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const stats = {
      label: '`esc parse --stats --format hdfs`',
      argv: [...ctx.esc, 'parse', log, '--stats', '--format', 'hdfs'],
      env,
    };
    const auto = { label: '`esc parse --stats` (format auto)', argv: [...ctx.esc, 'parse', log, '--stats'], env };
    const ndjson = {
      label: '`esc parse` → NDJSON into a pipe',
      argv: [...ctx.esc, 'parse', log],
      env,
      stdout: 'pipe' as const,
    };
    const results = alternate([baseline, stats, auto, ndjson], ctx.rounds);
    const base = results[0]!;
    const rows = results.map((r) => [
      r.label,
      fmtMs(r.medianMs),
      fmtRatio(r.medianMs / base.medianMs),
      `${fmtRate(lines / (r.medianMs / 1000))} lines`,
      fmtMiB(r.maxRssKiB),
    ]);
    const sizeMiB = (ctx.sizeBytes / 1048576).toFixed(0);
    return `Input: the generated HDFS log, ${sizeMiB} MiB, ${lines.toLocaleString('en-US')} lines; ${ctx.rounds} alternating rounds, medians.
Ratio = time ÷ the baseline's time in the same run (the baseline reads 1 MiB chunks, splits lines, runs the HDFS
regex and counts levels, nothing else: \`packages/bench/src/baselines/hdfs-regex-baseline.ts\`).

${table(['command', 'median', 'vs baseline', 'throughput', 'peak RSS'], rows)}

Targets: \`--stats\` ≤ 1.00× the baseline and ≥ 1 M lines/s; NDJSON ≥ 400 k lines/s; peak RSS ≤ 150 MiB.`;
  },
};

function countLines(path: string): number {
  // A synchronous newline count: the file is in the page cache after generation.
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let count = 0;
  for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null))
    for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) count++;
  closeSync(fd);
  return count;
}
