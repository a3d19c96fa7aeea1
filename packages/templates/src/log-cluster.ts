import { WILDCARD } from './masking.js';

/** A group of lines of one token count that share a template (Drain's LogCluster). */
export interface LogCluster {
  /** Unique in a miner, never reused, kept across --state resumes. */
  readonly id: number;
  /** The template's tokens: a line's masked token, `key=<*>`, or the wildcard where the lines differ. */
  tokens: string[];
  /** Lines seen. */
  count: number;
  /** The first line seen, as given (before masking). */
  sample: string;
  /** Set when the cluster was evicted by the LRU cap: handles held by callers then say so. */
  evicted: boolean;
  /** Set when the cluster was folded into another (a word position found to be a variable). */
  mergedInto?: LogCluster | undefined;
}

/** The live cluster a handle stands for (itself, or the one it was folded into). */
export function resolveCluster(cluster: LogCluster): LogCluster {
  while (cluster.mergedInto !== undefined) cluster = cluster.mergedInto;
  return cluster;
}

// A plain word (letters, perhaps a digit tail or closing punctuation), alone or as a key's value: `Started`,
// `successfully.`, `alt0`, `user=root`; a key with no value (`rhost=`), a different shape from one with a
// value; a run of symbols (`****`), which stands where a value is missing.
const WORD = /^(?:(?:[A-Za-z_]+=)?[A-Za-z]+\d*[.,;:!?]?|[A-Za-z_]+=|[*#~=+-]+)$/;
const LETTER_WORD = /^[A-Za-z]/;
const SYMBOL_RUN = /^[*#~=+-]+$/;

function isSymbolRun(token: string): boolean {
  return SYMBOL_RUN.test(token);
}

/**
 * Whether two different tokens at one place keep a line out of a cluster: a word is far more often a constant
 * than a value, so a line that differs there starts a cluster of its own (`VM Started` / `VM Paused`); the
 * miner folds such clusters into one when enough of them pile up (TemplateMiner's fold). A masked value where
 * the template has a word (`user 1234` against `user root`) shows the word was a value: no conflict.
 */
function isWordConflict(t: string, token: string): boolean {
  if (token === WILDCARD) return LETTER_WORD.test(t) ? false : WORD.test(t);
  if (t === WILDCARD) return isSymbolRun(token);
  return WORD.test(t) || WORD.test(token);
}

/** How a line compares with a template: its similarity, and whether a constant word of the template differs. */
export interface Comparison {
  similarity: number;
  wordConflict: boolean;
  /** The one position where they differ, or -1 (none, or several). */
  onlyMiss: number;
}

/**
 * How alike a line's tokens are to a cluster's template: the share of positions where the template's token
 * covers the line's (the same token, a wildcard, or `key=<*>` over `key=value`), and whether a differing
 * position is a word conflict. Similarity is -1 below `threshold` (early exit: most candidates fail within a
 * few tokens).
 */
export function compare(template: readonly string[], tokens: readonly string[], threshold: number): Comparison {
  const n = tokens.length;
  const allowedMisses = n - Math.ceil(threshold * n - 1e-9);
  let misses = 0;
  let wordConflict = false;
  let lastMiss = -1;
  for (let i = 0; i < n; i++) {
    const t = template[i]!;
    const token = tokens[i]!;
    // A wildcard covers any token (the lines have shown a variable there), except a run of symbols, which
    // marks a value that is missing: `( 3552 **** 3515 )` is not `( 3552 3534 3515 )`.
    if (t === token || (t === WILDCARD && !isSymbolRun(token)) || coversKeyValue(t, token)) continue;
    if (++misses > allowedMisses) return { similarity: -1, wordConflict, onlyMiss: -1 };
    lastMiss = i;
    if (!wordConflict && isWordConflict(t, token)) wordConflict = true;
  }
  return { similarity: n === 0 ? 1 : (n - misses) / n, wordConflict, onlyMiss: misses === 1 ? lastMiss : -1 };
}

/** Whether template `general` covers every line template `specific` covers (equal length). */
export function coversTemplate(general: readonly string[], specific: readonly string[]): boolean {
  for (let i = 0; i < general.length; i++) {
    const g = general[i]!;
    if (g !== specific[i] && g !== WILDCARD && !coversKeyValue(g, specific[i]!)) return false;
  }
  return true;
}

/** `key=<*>` covers `key=value`. */
function coversKeyValue(t: string, token: string): boolean {
  const n = t.length - WILDCARD.length;
  return (
    n > 1 &&
    token.length > n &&
    t.charCodeAt(n - 1) === 61 /* = */ &&
    t.endsWith(WILDCARD) &&
    token.startsWith(t.slice(0, n))
  );
}

/**
 * Widens a template to cover a line: positions that differ become wildcards, keeping a shared `key=` so that
 * `uid=0` and `uid=500` give `uid=<*>`. Returns whether the template changed.
 */
export function generalise(template: string[], tokens: readonly string[]): boolean {
  let changed = false;
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const token = tokens[i]!;
    if (t === token || t === WILDCARD || coversKeyValue(t, token)) continue;
    template[i] = sharedKey(t, token) + WILDCARD;
    changed = true;
  }
  return changed;
}

/** The `key=` two tokens start with, or ''. */
function sharedKey(a: string, b: string): string {
  const eq = a.indexOf('=');
  return eq > 0 && b.length > eq && b.charCodeAt(eq) === 61 && a.startsWith(b.slice(0, eq)) ? a.slice(0, eq + 1) : '';
}
