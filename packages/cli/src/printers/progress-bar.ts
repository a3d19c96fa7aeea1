import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';

/** Reports bytes read; `stop` clears the bar. A no-op when progress is off. */
export interface Progress {
  update(bytes: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/** Show a bar only once the work has taken this long: a quick parse should not flash one. */
const DELAY_MS = 700;

/**
 * A progress bar on stderr (bytes read of total, rate, ETA), drawn by cli-progress, for a regular file read
 * on a terminal. `enabled` is the caller's decision (stderr is a TTY, not CI); without a known size there
 * is nothing to show.
 */
export function createProgress(
  totalBytes: number | null,
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
  delayMs = DELAY_MS,
): Progress {
  if (!enabled || totalBytes === null || totalBytes === 0) return NO_PROGRESS;
  const started = Date.now();
  // Loaded only when a bar may be drawn (off the start-up path of every piped or CI run), and synchronously:
  // the parse loop reads with readSync and would not let a dynamic import() finish before the end.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
  let bar: cliProgressModule.SingleBar | null = null;
  const mib = (n: number) => (n / 1048576).toFixed(1);
  return {
    update(bytes) {
      if (bar === null) {
        if (Date.now() - started < delayMs) return;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: 'parsing [{bar}] {percentage}% | {done}/{size} MiB | {rate} MiB/s | ETA {eta_formatted}',
            clearOnComplete: true,
            hideCursor: true,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(totalBytes, 0, { done: '0.0', size: mib(totalBytes), rate: '0.0' });
      }
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(Math.min(bytes, totalBytes), { done: mib(bytes), rate: mib(bytes / secs) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** The usual rule: progress only on a terminal and never in CI. */
export function progressWanted(
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && !env.CI && env.TERM !== 'dumb';
}
