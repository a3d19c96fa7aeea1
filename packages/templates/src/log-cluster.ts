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

// A plain word (letters, perhaps closing punctuation), alone or as a key's value: `Started`, `successfully.`,
// `user=root`; or a key with no value (`rhost=`), which is a different shape from one with a value.
const WORD = /^(?:(?:[A-Za-z_]+=)?[A-Za-z]+\d*[.,;:!?]?|[A-Za-z_]+=|[*#~=+-]+)$/;

/**
 * Whether a template's token refuses a different token outright: a plain word is far more often a constant
 * than a value, so a line that differs there starts a cluster of its own (`VM Started` / `VM Paused`); the
 * miner folds such clusters into one when enough of them pile up (see TemplateMiner.foldSiblings).
 */
export function isWord(token: string): boolean {
  return WORD.test(token);
}

/** How a line compares with a template: its similarity, and whether a constant word of the template differs. */
export interface Comparison {
  similarity: number;
  wordConflict: boolean;
}

/** As `similarity`, noting word conflicts (-1 similarity below the threshold). */
export function compare(template: readonly string[], tokens: readonly string[], threshold: number): Comparison {
  const n = tokens.length;
  const allowedMisses = n - Math.ceil(threshold * n - 1e-9);
  let misses = 0;
  let wordConflict = false;
  for (let i = 0; i < n; i++) {
    const t = template[i]!;
    const token = tokens[i]!;
    // A position already widened to a wildcard covers any token: the lines have shown it is a variable.
    if (t === token || t === WILDCARD || coversKeyValue(t, token)) continue;
    if (++misses > allowedMisses) return { similarity: -1, wordConflict };
    if (!wordConflict && (isWord(t) || isWord(token))) wordConflict = true;
  }
  return { similarity: n === 0 ? 1 : (n - misses) / n, wordConflict };
}

/**
 * How alike a line's tokens are to a cluster's template: the share of positions where the template's token
 * covers the line's (the same token, both variables, or `key=<*>` over `key=anything`). A position the
 * template has widened to a wildcard counts only against a variable, so a general template does not attract
 * every line of its length. Returns -1 below `threshold` (early exit: most candidates fail within a few tokens).
 */
export function similarity(template: readonly string[], tokens: readonly string[], threshold: number): number {
  const n = tokens.length;
  const allowedMisses = n - Math.ceil(threshold * n - 1e-9);
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const t = template[i]!;
    const token = tokens[i]!;
    if (t !== token && !coversKeyValue(t, token) && ++misses > allowedMisses) return -1;
  }
  return n === 0 ? 1 : (n - misses) / n;
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
