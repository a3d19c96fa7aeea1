import { DEFAULT_MASKS, type MaskRule } from './masking.js';

/**
 * The miner's settings: one default for every log. The zod schema that validates them from files and flags
 * is `minerOptionsSchema` in '@esc/templates/schemas' (kept apart so that mining does not load zod).
 */
export interface MinerOptions {
  /** A line joins a cluster when at least this share of its tokens equal the cluster template's. */
  similarity: number;
  /** Parse-tree depth after the token count: the first `prefixTokens` tokens route a line. */
  prefixTokens: number;
  /** A tree node holds at most this many distinct children; more go to its wildcard child. */
  maxChildren: number;
  /** At most this many clusters; the least recently used one goes when a new one would exceed it. */
  maxClusters: number;
  /** This many clusters that differ only in a word at one place are folded into one (the word is a value). */
  foldAt: number;
  /** Masks applied before mining, in order. */
  masks: readonly MaskRule[];
}

export const DEFAULT_MINER_OPTIONS: Readonly<MinerOptions> = {
  similarity: 0.6,
  prefixTokens: 2,
  maxChildren: 100,
  maxClusters: 50_000,
  foldAt: 5,
  masks: DEFAULT_MASKS,
};
