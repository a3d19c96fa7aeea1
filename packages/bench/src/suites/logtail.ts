import { closeSync, existsSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { alternate, fmtMiB, fmtMs, fmtRatio, table, type CommandSpec, type Summary } from '../measure.js';

const MEMORY_LIMIT_KIB = 100 * 1024;

/** The first whole lines of `big` that fit in `bytes`: a small file of the same kind, for the size-independence check. */
function smallCopy(ctx: BenchContext, big: string, bytes: number): string {
  const path = join(ctx.dataDir, `hdfs-small-${bytes}.log`);
  if (existsSync(path)) return path;
  const buf = Buffer.alloc(bytes);
  const fd = openSync(big, 'r');
  const n = readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  writeFileSync(path, buf.subarray(0, buf.lastIndexOf(10, n - 1) + 1));
  return path;
}

function verdict(ratio: number, limit: number): string {
  return ratio <= limit ? `meets ≤ ${limit}×` : `**misses** ≤ ${limit}×`;
}

function rows(summaries: Summary[]): string[][] {
  return summaries.map((s) => [
    s.label,
    fmtMs(s.medianMs),
    fmtMiB(s.maxRssKiB),
    s.maxRssKiB <= MEMORY_LIMIT_KIB ? 'yes' : '**no**',
  ]);
}

export const suite: BenchSuite = {
  name: 'logtail',
  title: 'logread and logtail',
  async run(ctx) {
    const big = ctx.hdfsLog();
    const small = smallCopy(ctx, big, 1024);
    const sizeLabel = `${(ctx.sizeBytes / 1024 ** 2).toFixed(0)} MiB`;
    const esc = (label: string, ...args: string[]): CommandSpec => ({ label, argv: [...ctx.esc, ...args] });

    ctx.log(`logread --all vs cat on ${sizeLabel}`);
    const [cat, logread] = alternate(
      [
        { label: `cat (${sizeLabel})`, argv: ['cat', big] },
        esc(`esc logread --all (${sizeLabel})`, 'logread', '--all', big),
      ],
      ctx.rounds,
    );

    // Start-up bound commands are short and noisy: more rounds, all alternated with `node -e 0`.
    const startupRounds = Math.max(ctx.rounds * 4, 12);
    ctx.log(`start-up: node -e 0, esc --version, esc logtail -n 20 (${startupRounds} rounds)`);
    const [node, version, tailBig, tailSmall, gnuTail] = alternate(
      [
        { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
        esc('esc --version', '--version'),
        esc(`esc logtail -n 20 (${sizeLabel})`, 'logtail', '-n', '20', big),
        esc('esc logtail -n 20 (1 KiB)', 'logtail', '-n', '20', small),
        { label: `GNU tail -n 20 (${sizeLabel}), for reference`, argv: ['tail', '-n', '20', big] },
      ],
      startupRounds,
    );

    const r = (a: Summary, b: Summary) => a.medianMs / b.medianMs;
    const checks: [string, number, number][] = [
      [`esc logread --all ÷ cat, into a pipe (${sizeLabel})`, r(logread!, cat!), 1.5],
      [`esc logtail -n 20: ${sizeLabel} ÷ 1 KiB file`, r(tailBig!, tailSmall!), 1.1],
      [`esc logtail -n 20 (${sizeLabel}) ÷ node -e 0`, r(tailBig!, node!), 1.5],
      ['esc --version ÷ node -e 0', r(version!, node!), 1.5],
    ];
    const all = [cat!, logread!, node!, version!, tailBig!, tailSmall!, gnuTail!];
    return [
      `Command: \`node packages/bench/dist/run.js --only logtail --size ${sizeLabel.replace(' MiB', 'M')} --rounds ${ctx.rounds}\`. ` +
        `Input: the generated HDFS log (${sizeLabel}) and a 1 KiB file cut from it; output into a pipe. ` +
        `\`cat\` alternates with \`logread --all\` (${ctx.rounds} rounds); the start-up group alternates ${startupRounds} rounds.`,
      '',
      table(
        ['comparison', 'ratio', 'target'],
        checks.map(([label, ratio, limit]) => [label, fmtRatio(ratio), verdict(ratio, limit)]),
      ),
      '',
      table(['command', 'median', 'peak RSS', '≤ 100 MiB'], rows(all)),
    ].join('\n');
  },
};
