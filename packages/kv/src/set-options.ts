import type { SetExpiryOptions } from './expiry.js';

/** Redis SET's options: an expiry (EX/PX/EXAT/PXAT/KEEPTTL, at most one) and a condition. */
export interface SetOptions extends SetExpiryOptions {
  /** Only set if the key does not exist (live). */
  nx?: boolean;
  /** Only set if the key exists (live). */
  xx?: boolean;
}

export interface SetResult {
  /** False when NX/XX stopped the write. */
  written: boolean;
  /** The value before the call (Redis SET … GET), null if the key was absent. */
  previous: string | null;
}
