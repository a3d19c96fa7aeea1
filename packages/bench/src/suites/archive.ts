import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { alternate, fmtMiB, fmtMs, table } from '../measure.js';

const SYSTEMS = [
  'HDFS',
  'Hadoop',
  'Spark',
  'Zookeeper',
  'BGL',
  'HPC',
  'Linux',
  'Apache',
  'Proxifier',
  'OpenSSH',
  'OpenStack',
];
const PREFIX_BYTES = 64 * 1024 * 1024;
// A literal of the generated log: a component name, in the text of one template.
const GREP_LITERAL = 'DataTransfer';

/** The Loghub samples: ../shared/data/loghub when present (the issue's), else the copies in test-fixtures. */
function loghubSample(system: string): string {
  const shared = join(REPO_ROOT, '../shared/data/loghub', system, `${system}_2k.log`);
  if (existsSync(shared)) return shared;
  return system === 'HDFS'
    ? join(REPO_ROOT, 'logs/HDFS_2k.log')
    : join(REPO_ROOT, 'packages/test-fixtures/loghub', `${system}_2k.log`);
}

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim();
const compressed = (command: string, file: string) => Number(sh(`${command} < '${file}' | wc -c`));

interface Sizes {
  gzip: number;
  zstd: number;
  xz: number;
  archive: number;
}

function sizes(file: string, esc: string[], dir: string): Sizes {
  const out = join(dir, 'size.esca');
  execFileSync(esc[0]!, [...esc.slice(1), 'archive', 'create', file, '-o', out]);
  return {
    gzip: compressed('gzip -9 -c', file),
    zstd: compressed('zstd -19 --long -c -q', file),
    xz: compressed('xz -9e -c -T1', file),
    archive: statSync(out).size,
  };
}

const fmtBytes = (n: number) => n.toLocaleString('en-US');
const ratio = (s: Sizes) => s.xz / s.archive;

/**
 * esc archive beside gzip -9, zstd -19 --long and xz -9e: sizes on every Loghub sample and on the first 64 MiB
 * of the generated HDFS log; create and extract speed on that prefix; archive grep -c against
 * zstd -dc | grep -c on the whole generated log. Targets (issue 13) in the notes under the tables.
 */
export const suite: BenchSuite = {
  name: 'archive',
  title: 'archive (esc archive)',
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'esc-bench-archive-'));
    try {
      const rows: string[][] = [];
      let sum = 0;
      for (const system of SYSTEMS) {
        const file = loghubSample(system);
        const s = sizes(file, ctx.esc, dir);
        sum += ratio(s);
        rows.push([
          system,
          fmtBytes(statSync(file).size),
          fmtBytes(s.gzip),
          fmtBytes(s.zstd),
          fmtBytes(s.xz),
          fmtBytes(s.archive),
          ratio(s).toFixed(2),
        ]);
      }
      rows.push(['mean', '', '', '', '', '', (sum / SYSTEMS.length).toFixed(2)]);

      const log = ctx.hdfsLog();
      const prefix = join(dir, 'hdfs-prefix.log');
      sh(`head -c ${PREFIX_BYTES} '${log}' > '${prefix}'`);
      const prefixBytes = statSync(prefix).size;
      const p = sizes(prefix, ctx.esc, dir);
      const prefixRow = [
        'HDFS generated, first 64 MiB',
        fmtBytes(prefixBytes),
        fmtBytes(p.gzip),
        fmtBytes(p.zstd),
        fmtBytes(p.xz),
        fmtBytes(p.archive),
        ratio(p).toFixed(2),
      ];

      const archive = join(dir, 'prefix.esca');
      const speed = alternate(
        [
          { label: '`esc archive create` (64 MiB)', argv: [...ctx.esc, 'archive', 'create', prefix, '-o', archive] },
          {
            label: '`esc archive extract` (64 MiB)',
            argv: [...ctx.esc, 'archive', 'extract', archive],
            stdout: 'null',
          },
          { label: '`node -e 0` (start-up)', argv: [process.execPath, '-e', '0'] },
        ],
        ctx.rounds,
      );
      const mbps = (ms: number) => `${(prefixBytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
      const speedRows = speed.map((r) => [
        r.label,
        fmtMs(r.medianMs),
        r.label.startsWith('`node') ? '' : mbps(r.medianMs),
        fmtMiB(r.maxRssKiB),
      ]);

      const whole = join(dir, 'whole.esca');
      const zst = join(dir, 'whole.zst');
      execFileSync(ctx.esc[0]!, [...ctx.esc.slice(1), 'archive', 'create', log, '-o', whole]);
      sh(`zstd -19 -T1 -q -c '${log}' > '${zst}'`);
      const grep = alternate(
        [
          {
            label: `\`esc archive grep -c ${GREP_LITERAL}\``,
            argv: [...ctx.esc, 'archive', 'grep', '-c', GREP_LITERAL, whole],
          },
          {
            label: `\`zstd -dc \\| grep -c ${GREP_LITERAL}\``,
            argv: ['sh', '-c', `zstd -dc '${zst}' | grep -c ${GREP_LITERAL}`],
          },
        ],
        ctx.rounds,
      );
      const counts = [
        sh(`${ctx.esc.map((a) => `'${a}'`).join(' ')} archive grep -c ${GREP_LITERAL} '${whole}'`),
        sh(`zstd -dc '${zst}' | grep -c ${GREP_LITERAL}`),
      ];
      const grepRows = grep.map((r, i) => [
        r.label,
        fmtMs(r.medianMs),
        `${(r.medianMs / grep[1]!.medianMs).toFixed(2)}×`,
        counts[i]!,
        fmtMiB(r.maxRssKiB),
      ]);
      const sizeMiB = (ctx.sizeBytes / 1048576).toFixed(0);
      return `Sizes in bytes; ratio = \`xz -9e\` ÷ archive (above 1: the archive is smaller). Archives at the default level.

${table(['input', 'bytes', 'gzip -9', 'zstd -19 --long', 'xz -9e', 'esc archive', 'xz ÷ archive'], [...rows, prefixRow])}

Targets: at least 1.1 on every Loghub sample, 1.3 on their mean, 1.5 on the first 64 MiB of the generated log.

Speed on the 64 MiB prefix (${ctx.rounds} alternating rounds, medians; MB/s include Node's start-up):

${table(['command', 'median', 'throughput', 'peak RSS'], speedRows)}

Targets: create at least 20 MB/s, extract at least 100 MB/s, peak RSS at most 300 MiB.

\`archive grep -c\` on the archive of the whole generated log (${sizeMiB} MiB) against \`zstd -dc | grep -c\` on its
\`zstd -19\` file (ratio = time ÷ the zstd pipeline's):

${table(['command', 'median', 'vs the zstd pipeline', 'count', 'peak RSS'], grepRows)}

Target: at least 3× faster than the zstd pipeline, with the same count.`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
