import { describe, expect, it } from 'vitest';
import { compactionDue } from './live-compaction.js';

const config = { compactRatio: 1, journalMaxBytes: 1024 * 1024, compactMinBytes: 1024 * 1024 };

describe('compactionDue', () => {
  it('folds a journal past the cap', () => {
    expect(compactionDue(1024 * 1024, 10, 0, config)).toBe(false);
    expect(compactionDue(1024 * 1024 + 1, 10, 0, config)).toBe(true);
    // A small snapshot: the cap is its size, but never under compactMinBytes.
    expect(compactionDue(300 * 1024, 10, 0, { ...config, compactMinBytes: 256 * 1024 })).toBe(true);
    expect(compactionDue(200 * 1024, 10, 0, { ...config, compactMinBytes: 256 * 1024 })).toBe(false);
  });

  it('waits until the journal is three times what the last compaction carried into it', () => {
    const carried = 5 * 1024 * 1024;
    expect(compactionDue(carried, 10, carried, config)).toBe(false);
    expect(compactionDue(3 * carried, 10, carried, config)).toBe(false);
    expect(compactionDue(3 * carried + 1, 10, carried, config)).toBe(true);
    // A carry under a third of the cap changes nothing.
    expect(compactionDue(1024 * 1024 + 1, 10, 1000, config)).toBe(true);
  });
});
