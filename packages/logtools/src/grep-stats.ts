import { detectLevel } from './log-level.js';

/** What --stats reports: the original tool's ratio line plus volume, speed and the level histogram. */
export interface GrepStatsSummary {
  type: 'stats';
  files: number;
  lines: number;
  matched: number;
  percent: number;
  bytes: number;
  elapsedMs: number;
  bytesPerSecond: number;
  levels: Record<string, number>;
}

/** Accumulates --stats over every file searched; the searcher feeds it bytes, lines and selected lines. */
export class GrepStats {
  files = 0;
  lines = 0;
  matched = 0;
  bytes = 0;
  private readonly levels = new Map<string, number>();
  private readonly started = performance.now();
  private elapsed: number | null = null;

  /** A selected line: counted and classified by log level. */
  recordSelected(buf: Buffer, start: number, end: number): void {
    this.matched++;
    const level = detectLevel(buf, start, end);
    this.levels.set(level, (this.levels.get(level) ?? 0) + 1);
  }

  stop(): void {
    this.elapsed ??= performance.now() - this.started;
  }

  summary(): GrepStatsSummary {
    this.stop();
    const elapsedMs = this.elapsed!;
    const levels = Object.fromEntries([...this.levels].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    return {
      type: 'stats',
      files: this.files,
      lines: this.lines,
      matched: this.matched,
      percent: this.lines === 0 ? 0 : Math.round((this.matched / this.lines) * 1e4) / 100,
      bytes: this.bytes,
      elapsedMs: Math.round(elapsedMs * 1000) / 1000,
      bytesPerSecond: elapsedMs > 0 ? Math.round((this.bytes / elapsedMs) * 1000) : 0,
      levels,
    };
  }

  /**
   * The human report. The first line is the original tool's, unchanged, so scripts that parse it keep
   * working: `Stats: 80/2000 lines matched (4.00%)`.
   */
  format(): string {
    const s = this.summary();
    const levels = Object.entries(s.levels)
      .map(([level, n]) => `${level} ${n} (${((n / s.matched) * 100).toFixed(2)}%)`)
      .join(', ');
    return [
      `Stats: ${s.matched}/${s.lines} lines matched (${(s.lines === 0 ? 0 : (s.matched / s.lines) * 100).toFixed(2)}%)`,
      `Searched: ${formatBytes(s.bytes)} in ${s.files} ${s.files === 1 ? 'file' : 'files'}, ${formatMs(s.elapsedMs)}, ${formatBytes(s.bytesPerSecond)}/s`,
      `Levels: ${levels || 'no matching lines'}`,
    ].join('\n');
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}
