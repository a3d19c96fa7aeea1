/**
 * The severity of a log line, for the --stats histogram: the first level word in the line (HDFS
 * `INFO`, Apache `[error]`, Log4j `WARN`), case-insensitive and normalised (`WARNING` → `WARN`, `ERR` →
 * `ERROR`, `CRIT` → `CRITICAL`). Lines without one (syslog, free text) count as `(none)`.
 */
const LEVEL =
  /(?<![A-Za-z0-9_])(FATAL|CRITICAL|CRIT|SEVERE|ERROR|ERR|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE)(?![A-Za-z0-9_])/i;
const ALIASES: Record<string, string> = { WARNING: 'WARN', ERR: 'ERROR', CRIT: 'CRITICAL' };

const NO_LEVEL = '(none)';

export function detectLevel(buf: Buffer, start: number, end: number): string {
  const m = LEVEL.exec(buf.toString('latin1', start, end));
  if (m === null) return NO_LEVEL;
  const word = m[1]!.toUpperCase();
  return ALIASES[word] ?? word;
}
