import { InvalidInputError, UsageError } from './errors.js';
import { analyzePatternShape } from './pattern-shape.js';

/**
 * The one place where a pattern a user wrote becomes a RegExp (loggrep, parse --regex, formats, and the
 * server's queries later), so that no pattern can hang esc (ReDoS). V8 runs a regex with its backtracking
 * engine and, with the flag set here, switches it to its linear-time engine once one match attempt has
 * backtracked too often; that keeps JavaScript semantics and speed for ordinary patterns. The linear engine
 * cannot run backreferences, lookarounds or the flags i, u, v, d, so case-insensitivity is rewritten into
 * the pattern (ASCII letters in both cases), and a pattern that still needs backtracking is accepted only
 * when a static check bounds its running time; otherwise it is refused with one line (see docs/core.md).
 */
export interface UserPatternOptions {
  /** RegExp flags among g, m, s, y (and u, which gives up the linear fallback). */
  flags?: string;
  /** Match ASCII letters in either case (grep -i in the C locale). */
  ignoreCase?: boolean;
  /** The pattern as the user wrote it, for messages (default: the source compiled). */
  shown?: string;
}

/** A pattern that is not a valid JavaScript regular expression (exit status 2). */
export class InvalidPatternError extends InvalidInputError {
  constructor(pattern: string, cause: unknown) {
    // V8 says "Invalid regular expression: /a(b/s: Unterminated group"; keep the reason, the pattern is named.
    super(
      `invalid regular expression '${pattern}': ${(cause as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}`,
    );
  }
}

/** A valid pattern whose running time esc cannot bound (exit status 2). */
export class UnsafePatternError extends UsageError {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`pattern '${pattern}' refused: ${reason}`);
  }
}

/** Bounded choices a backtracking attempt may try at each position, for a pattern V8 cannot run linearly. */
const MAX_PATHS = 10_000;

let fallbackEnabled = false;

/**
 * Turns on V8's linear-engine fallback for every regex compiled afterwards in this process (and the `l`
 * flag, used to ask V8 whether a pattern is one its linear engine can run). Idempotent.
 */
export function enableLinearRegExpFallback(): void {
  if (fallbackEnabled) return;
  // Loaded here, not at start-up: importing node:v8 costs ~2 ms, paid only by a command that compiles a pattern.
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  fallbackEnabled = true;
}

/**
 * Compiles a user's pattern into a RegExp whose every match attempt runs in bounded time, or throws
 * InvalidPatternError (bad syntax) or UnsafePatternError (one line naming the pattern and why).
 */
export function compileUserPattern(source: string, options: UserPatternOptions = {}): RegExp {
  enableLinearRegExpFallback();
  const shown = options.shown ?? source;
  let flags = options.flags ?? '';
  try {
    new RegExp(source, options.ignoreCase ? `${flags}i` : flags);
  } catch (err) {
    throw new InvalidPatternError(shown, err);
  }
  const shape = analyzePatternShape(source);
  let final = source;
  if (options.ignoreCase) {
    // A backreference under `i` matches its group's text in any case, which no rewrite can say.
    if (shape.backreference || flags.includes('u') || !compiles(shape.caseless, flags)) flags += 'i';
    else final = shape.caseless;
  }
  if (compiles(final, `${flags}l`)) {
    // V8 counts the backtracks of loops, not of choices in a row (`a?` 40 times, then `a` 40 times, takes
    // seconds before any fallback): a pattern with that many paths runs on the linear engine from the start.
    return new RegExp(final, shape.paths > MAX_PATHS ? `${flags}l` : flags);
  }
  const needs =
    [
      shape.backreference && 'a backreference',
      shape.lookaround && 'a lookaround',
      flags.includes('i') && 'case-insensitive backreferences',
      flags.includes('u') && 'the u flag',
    ]
      .filter(Boolean)
      .join(' and ') || 'a repetition count above 16';
  if (shape.nestedRepetition)
    throw new UnsafePatternError(
      shown,
      `it needs the backtracking engine (${needs}) and repeats a part that has choices of its own, which can take exponential time`,
    );
  if (shape.degree > 1)
    throw new UnsafePatternError(
      shown,
      `it needs the backtracking engine (${needs}) and has ${shape.degree} unbounded repetitions in a row, which can take time of the line's length to the power ${shape.degree + 1}`,
    );
  if (shape.paths > MAX_PATHS)
    throw new UnsafePatternError(
      shown,
      `it needs the backtracking engine (${needs}) and its optional, counted and alternative parts combine into more than ${MAX_PATHS} paths`,
    );
  return new RegExp(final, flags);
}

function compiles(source: string, flags: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}
