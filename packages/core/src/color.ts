import { Chalk, type ChalkInstance } from 'chalk';
import { isatty } from 'node:tty';

export type ColorMode = 'auto' | 'always' | 'never';

export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

/**
 * Decides whether to colour output written to `fd`, in the order users expect:
 * an explicit `--color=always|never` wins; otherwise NO_COLOR (any non-empty value) turns colour off,
 * FORCE_COLOR turns it on (FORCE_COLOR=0 or false turns it off), and finally colour only on a TTY that is not "dumb".
 */
export function shouldColor(mode: ColorMode = 'auto', fd = 1, env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force === 'false');
  return isatty(fd) && env.TERM !== 'dumb';
}

export function parseColorMode(value: string): ColorMode {
  if (value === 'auto' || value === 'always' || value === 'never') return value;
  if (value === 'yes' || value === 'force') return 'always';
  if (value === 'no' || value === 'none') return 'never';
  if (value === 'tty' || value === 'if-tty') return 'auto';
  throw new Error(`invalid --color value '${value}' (use auto, always or never)`);
}

/** A chalk instance whose level follows `shouldColor`, so callers never consult chalk's own detection. */
export function createPalette(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}
