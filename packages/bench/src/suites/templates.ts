import { join } from 'node:path';
import { REPO_ROOT } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { alternate, fmtMiB, fmtMs, fmtRate, fmtRatio, table } from '../measure.js';
import { countLines } from './parser.js';

/**
 * esc templates on the generated HDFS log: the message field (--format hdfs) and whole lines, alternated with
 * the bare-regex baseline of the parser suite (read, split, HDFS regex, count) in the same run.
 * Target (issue 13): at least 500 k lines/s, single thread.
 */
export const suite: BenchSuite = {
  name: 'templates',
  title: 'templates (esc templates)',
  async run(ctx) {
    const log = ctx.hdfsLog();
    const lines = countLines(log);
    const env = { ...process.env, NO_COLOR: '1', CI: '1' };
    const commands = [
      {
        label: 'baseline: chunks + HDFS regex + level counts',
        argv: [process.execPath, join(REPO_ROOT, 'packages/bench/dist/baselines/hdfs-regex-baseline.js'), log],
      },
      { label: '`esc templates --format hdfs`', argv: [...ctx.esc, 'templates', log, '--format', 'hdfs'], env },
      { label: '`esc templates --format line`', argv: [...ctx.esc, 'templates', log, '--format', 'line'], env },
      { label: '`node -e 0` (start-up)', argv: [process.execPath, '-e', '0'] },
    ];
    const results = alternate(commands, ctx.rounds);
    const base = results[0]!;
    const rows = results.map((r) => [
      r.label,
      fmtMs(r.medianMs),
      fmtRatio(r.medianMs / base.medianMs),
      r.label.startsWith('`node') ? '' : `${fmtRate(lines / (r.medianMs / 1000))} lines`,
      fmtMiB(r.maxRssKiB),
    ]);
    const sizeMiB = (ctx.sizeBytes / 1048576).toFixed(0);
    return `Input: the generated HDFS log, ${sizeMiB} MiB, ${lines.toLocaleString('en-US')} lines; ${ctx.rounds} alternating rounds, medians.
Ratio = time ÷ the baseline's time in the same run (\`packages/bench/src/baselines/hdfs-regex-baseline.ts\`).
Throughput includes Node's start-up (the \`node -e 0\` row).

${table(['command', 'median', 'vs baseline', 'throughput', 'peak RSS'], rows)}

Target: at least 500 k lines/s, single thread.`;
  },
};
