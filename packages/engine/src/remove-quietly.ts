import { unlinkSync } from 'node:fs';

/** Unlinks a file that may already be gone (cleanup after a crash, a lock let go twice). */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
