import type { EngineStats } from '@esc/engine';

const fmtBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
const pct = (f: number) => `${(f * 100).toFixed(2)}%`;

/** `esc engine stats` as aligned `name  value` lines: the figures, not the picture (that is `viz`). */
export function statsText(stats: EngineStats): string {
  const levels = new Map<number, { n: number; bytes: number }>();
  for (const s of stats.segments) {
    const l = levels.get(s.level) ?? { n: 0, bytes: 0 };
    l.n++;
    l.bytes += s.sizeBytes;
    levels.set(s.level, l);
  }
  const entries = stats.segments.reduce((sum, s) => sum + s.entries, 0);
  const tombstones = stats.segments.reduce((sum, s) => sum + s.tombstones, 0);
  const { bloom } = stats;
  const rows: [string, string][] = [
    ['dir', stats.dir],
    [
      'memtable',
      `${fmtBytes(stats.memtable.bytes)}, ${stats.memtable.entries} entries, ${stats.memtable.immutable} immutable`,
    ],
    ['wal', `${fmtBytes(stats.wal.bytes)} in ${stats.wal.files} file(s), sync ${stats.wal.syncMode}`],
    [
      'segments',
      `${stats.totals.liveSegments} live, ${fmtBytes(stats.totals.diskBytes)} on disk, ${entries} entries, ${tombstones} tombstones`,
    ],
    ...[...levels.entries()]
      .sort(([a], [b]) => a - b)
      .map(([level, l]): [string, string] => [`  level ${level}`, `${l.n} segment(s), ${fmtBytes(l.bytes)}`]),
    ['flushes', String(stats.totals.flushes)],
    ['compactions', String(stats.totals.compactions)],
    [
      'bloom',
      `${bloom.bitsPerKey} bits/key, false positives ${pct(bloom.theoreticalFpRate)} in theory, ` +
        (bloom.measuredFpRate === null
          ? 'not measured yet'
          : `${pct(bloom.measuredFpRate)} measured (${bloom.falsePositives}/${bloom.probes})`),
    ],
    [
      'recovery',
      `${stats.recovery.replayedBatches} log batch(es) replayed at open, ${stats.recovery.tornTails.length} torn tail(s) cut off` +
        (stats.recovery.staleLockPid === null
          ? ''
          : `, lock of dead process ${stats.recovery.staleLockPid} taken over`),
    ],
    [
      'next compaction',
      `${stats.nextCompaction.length === 0 ? 'none due' : stats.nextCompaction.map((id) => `#${id}`).join(' ')} (policy ${stats.compactionPolicy})`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => `${k.padEnd(width)}${v}\n`).join('');
}

/** EngineStats with its key Buffers as text, for `--json`. */
export function statsJson(stats: EngineStats, keyText: (b: Uint8Array) => unknown): unknown {
  return {
    ...stats,
    segments: stats.segments.map((s) => ({ ...s, minKey: keyText(s.minKey), maxKey: keyText(s.maxKey) })),
  };
}
