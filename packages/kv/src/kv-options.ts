import { parseWithSchema } from '@esc/core';

/** The data options of `openKv`; their schema and defaults are `kvOptionsSchema` in kv-schemas.ts. */
export interface KvConfig {
  /** Compact when the journal is larger than the snapshot times this ratio… (default 1) */
  compactRatio: number;
  /** …and larger than this many bytes, so a small store is not rewritten every few writes (default 256 KiB). */
  compactMinBytes: number;
  /**
   * …or, whatever the snapshot's size, larger than this (default 1 MiB): every read of a fresh process reads
   * the journal whole, so it must stay a small constant, not grow with the store.
   */
  journalMaxBytes: number;
  /** A lock left by a crashed process is taken over after this long (default 10 s; proper-lockfile's floor is 2 s). */
  lockStaleMs: number;
  /** Give up (StoreLockedError) after waiting this long for the lock (default 30 s). */
  lockWaitMs: number;
}

export interface KvOptions extends Partial<KvConfig> {
  /** The clock in Unix milliseconds; inject one in tests instead of sleeping. */
  clock?: () => number;
  /** Where warnings go (a torn journal tail ignored); default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export type ResolvedKvOptions = KvConfig & Required<Pick<KvOptions, 'clock' | 'onWarning'>>;

// The schema's defaults, for the common call with no data options: zod then stays unloaded (~60 ms saved).
const DEFAULTS: KvConfig = {
  compactRatio: 1,
  compactMinBytes: 256 * 1024,
  journalMaxBytes: 1024 * 1024,
  lockStaleMs: 10_000,
  lockWaitMs: 30_000,
};

export async function resolveKvOptions(options: KvOptions): Promise<ResolvedKvOptions> {
  const { clock, onWarning, ...data } = options;
  const given = Object.values(data).some((v) => v !== undefined);
  const config = given
    ? parseWithSchema((await import('./kv-schemas.js')).kvOptionsSchema, data, 'openKv options')
    : DEFAULTS;
  return {
    ...config,
    clock: clock ?? Date.now,
    onWarning: onWarning ?? ((message) => process.emitWarning(message, { code: 'ESC_KV' })),
  };
}
