import { spawnSync } from 'node:child_process';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { alternate, fmtMiB, fmtMs, fmtRatio, table, type CommandSpec } from '../measure.js';

const MEMORY_LIMIT_KIB = 100 * 1024;

interface GrepCase {
  label: string;
  /** Arguments given to both `grep` and `esc loggrep`. */
  args: string[];
  /** The target ratio esc ÷ grep from the issue, if any. */
  target?: number;
}

const CASES: GrepCase[] = [
  { label: '`-c ERROR`', args: ['-c', 'ERROR'], target: 1.3 },
  { label: "`-c -E 'blk_-?[0-9]+ of size [0-9]+'`", args: ['-c', '-E', 'blk_-?[0-9]+ of size [0-9]+'], target: 1.5 },
  { label: '`-n ERROR` (lines into a pipe)', args: ['-n', 'ERROR'] },
  { label: '`-c -i error`', args: ['-c', '-i', 'error'] },
  { label: '`-c -v -w INFO`', args: ['-c', '-v', '-w', 'INFO'] },
];

/** Both tools must agree before their times mean anything. */
function sameOutput(ctx: BenchContext, args: string[], file: string): void {
  const env = { ...process.env, LC_ALL: 'C' };
  const grep = spawnSync('grep', [...args, file], { env, maxBuffer: 1 << 30 });
  const esc = spawnSync(ctx.esc[0]!, [...ctx.esc.slice(1), 'loggrep', ...args, file], { env, maxBuffer: 1 << 30 });
  if (grep.status !== esc.status || !grep.stdout.equals(esc.stdout)) {
    throw new Error(`loggrep ${args.join(' ')} disagrees with grep (status ${esc.status} vs ${grep.status})`);
  }
}

export const suite: BenchSuite = {
  name: 'loggrep',
  title: 'loggrep',
  async run(ctx) {
    const file = ctx.hdfsLog();
    const sizeLabel = `${(ctx.sizeBytes / 1024 ** 2).toFixed(0)} MiB`;
    // grep runs in the C locale, its fastest mode and the byte semantics esc matches.
    const env = { ...process.env, LC_ALL: 'C' };
    const rows: string[][] = [];
    for (const c of CASES) {
      ctx.log(`loggrep ${c.args.join(' ')} vs grep on ${sizeLabel}`);
      sameOutput(ctx, c.args, file);
      const specs: CommandSpec[] = [
        { label: 'grep', argv: ['grep', ...c.args, file], env },
        { label: 'esc', argv: [...ctx.esc, 'loggrep', ...c.args, file], env },
      ];
      const [grep, esc] = alternate(specs, ctx.rounds);
      const ratio = esc!.medianMs / grep!.medianMs;
      const verdict =
        c.target === undefined ? '–' : ratio <= c.target ? `meets ≤ ${c.target}×` : `**misses** ≤ ${c.target}×`;
      const mem = esc!.maxRssKiB <= MEMORY_LIMIT_KIB ? 'yes' : '**no**';
      rows.push([
        c.label,
        fmtMs(grep!.medianMs),
        fmtMs(esc!.medianMs),
        fmtRatio(ratio),
        verdict,
        fmtMiB(grep!.maxRssKiB),
        `${fmtMiB(esc!.maxRssKiB)} (${mem})`,
      ]);
    }
    const markdown = `${sizeLabel} generated HDFS log (\`ctx.hdfsLog()\`), ${ctx.rounds} alternating rounds, output into a pipe, page cache
warm; grep is GNU grep under LC_ALL=C. Each case first checks that both print the same bytes. Targets from issue 2:
\`-c ERROR\` ≤ 1.3×, the regex count ≤ 1.5×, peak memory ≤ 100 MiB.

${table(['arguments', 'grep (median)', 'esc loggrep (median)', 'ratio', 'target', 'grep peak RSS', 'esc peak RSS (≤ 100 MiB)'], rows)}`;
    // Also on stderr: concurrent bench runs rewrite docs/benchmarks.md, and the figures must not be lost.
    ctx.log(markdown);
    return markdown;
  },
};
