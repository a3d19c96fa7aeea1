/**
 * Levels as statistics and `--level` see them: upper-cased, with the common spellings folded
 * (WARNING → WARN, ERR → ERROR, CRITICAL → CRIT), so `--level WARN` also selects syslog's `warning`.
 */
const ALIASES: Record<string, string> = {
  WARNING: 'WARN',
  ERR: 'ERROR',
  CRITICAL: 'CRIT',
  EMERGENCY: 'EMERG',
  INFORMATION: 'INFO',
  NOTICE: 'NOTICE',
};

export function normaliseLevel(raw: string): string {
  const up = raw.trim().toUpperCase();
  return ALIASES[up] ?? up;
}

/** The colour class of a level in the histogram: error-like, warning, or everything else. */
export type LevelClass = 'error' | 'warn' | 'other';

const ERROR_LIKE = new Set(['ERROR', 'FATAL', 'CRIT', 'SEVERE', 'EMERG', 'ALERT', 'FAILURE', 'FAILED']);

export function levelClass(level: string): LevelClass {
  if (level === 'WARN') return 'warn';
  return ERROR_LIKE.has(level) ? 'error' : 'other';
}
