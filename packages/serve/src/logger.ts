import { hostname } from 'node:os';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** pino's numeric levels, so its tools (pino-pretty, level filters) read these lines as their own. */
const LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

export const LOG_LEVELS = Object.keys(LEVELS) as LogLevel[];

type Fields = Record<string, unknown>;
type LogMethod = (fields: Fields, msg: string) => void;

export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

/**
 * Structured lines in pino's format (`{"level":30,"time":…,"pid":…,"hostname":…,…fields,"msg":…}`), written
 * synchronously to a file descriptor (stderr). A server logs connections, errors and lifecycle, never per
 * command, so the few dozen lines of pino we would use are not worth its ten packages in the CLI bundle.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = writeStderr): Logger {
  const threshold = LEVELS[level];
  const base = `"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  const method = (n: number): LogMethod =>
    n < threshold
      ? () => {}
      : (fields, msg) => {
          let line = `{"level":${n},"time":${Date.now()},${base}`;
          for (const [k, v] of Object.entries(fields)) line += `,${JSON.stringify(k)}:${stringify(v)}`;
          write(`${line},"msg":${JSON.stringify(msg)}}\n`);
        };
  return {
    debug: method(LEVELS.debug),
    info: method(LEVELS.info),
    warn: method(LEVELS.warn),
    error: method(LEVELS.error),
  };
}

function stringify(value: unknown): string {
  if (value instanceof Error) return JSON.stringify({ type: value.name, message: value.message, stack: value.stack });
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) ?? 'null';
}

function writeStderr(line: string): void {
  process.stderr.write(line);
}
