import type { ChalkInstance } from 'chalk';
import { UsageError } from './errors.js';
import { isTerminal } from './is-terminal.js';

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
  return isTerminal(fd) && env.TERM !== 'dumb';
}

export function parseColorMode(value: string): ColorMode {
  if (value === 'auto' || value === 'always' || value === 'never') return value;
  if (value === 'yes' || value === 'force') return 'always';
  if (value === 'no' || value === 'none') return 'never';
  if (value === 'tty' || value === 'if-tty') return 'auto';
  throw new UsageError(`invalid --color value '${value}' (use auto, always or never)`);
}

/**
 * A chalk instance whose level follows `shouldColor`, so callers never consult chalk's own detection.
 * chalk is loaded only when colour is on: importing it costs ~15 ms of start-up and touches process.stdout
 * (which makes a piped fd 1 non-blocking). Without colour every style is the identity, as chalk's level 0 is.
 */
export function createPalette(enabled: boolean): ChalkInstance {
  if (!enabled) return PLAIN;
  // Synchronous require of an ES module (Node >= 20.19), so callers need not become async.
  const { Chalk } = process.getBuiltinModule('node:module').createRequire(import.meta.url)(
    'chalk',
  ) as typeof import('chalk');
  return new Chalk({ level: 1 });
}

// chalk's contract at level 0: any chain of styles, called with arguments, returns them joined by spaces;
// the colour-model methods (hex, rgb, ansi256 and their bg forms) return a style to chain on.
const MODEL_METHODS = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256']);
const PLAIN: ChalkInstance = new Proxy(function plain() {} as unknown as ChalkInstance, {
  get: (_target, prop) => (prop === 'level' ? 0 : MODEL_METHODS.has(prop as string) ? MODEL : PLAIN),
  apply: (_target, _this, args: unknown[]) => args.join(' '),
});
const MODEL = new Proxy(function model() {}, { apply: () => PLAIN });
