import { z } from 'zod';
import { parseWithSchema } from '@esc/core';

/**
 * Options of `openKv`, one zod schema with the defaults in it (documented in docs/kv.md). Functions (clock,
 * warning sink) are checked by hand: they are not data.
 */
export const kvOptionsSchema = z.object({
  /** Compact when the journal is larger than the snapshot times this ratio… */
  compactRatio: z.number().positive().default(1),
  /** …and larger than this many bytes, so a small store is not rewritten every few writes. */
  compactMinBytes: z.number().int().nonnegative().default(256 * 1024),
  /** A lock left by a crashed process is taken over after this long (proper-lockfile's floor is 2000). */
  lockStaleMs: z.number().int().min(2000).default(10_000),
  /** Give up (StoreLockedError) after waiting this long for the lock. */
  lockWaitMs: z.number().int().positive().default(30_000),
});

export type KvConfig = z.infer<typeof kvOptionsSchema>;

export interface KvOptions extends Partial<KvConfig> {
  /** The clock in Unix milliseconds; inject one in tests instead of sleeping. */
  clock?: () => number;
  /** Where warnings go (a torn journal tail ignored); default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export function resolveKvOptions(options: KvOptions): KvConfig & Required<Pick<KvOptions, 'clock' | 'onWarning'>> {
  const { clock, onWarning, ...data } = options;
  return {
    ...parseWithSchema(kvOptionsSchema, data, 'openKv options'),
    clock: clock ?? Date.now,
    onWarning: onWarning ?? ((message) => process.emitWarning(message, { code: 'ESC_KV' })),
  };
}
