import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OffsetOutOfRangeError } from './stream-errors.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams, type TopicStore } from './topic-store.js';

const tempDir = useTempDirs('retention');

function segmentBases(dir: string): number[] {
  return readdirSync(join(dir, 't', '0'))
    .filter((f) => f.endsWith('.log'))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}

/** 10 appends of 10 records of ~100 bytes, each append at clock + 1 s; 1 KiB segments hold one append. */
async function fill(s: TopicStore, clock: { now: number }, config: Record<string, unknown>): Promise<void> {
  s.createTopic('t', { segmentBytes: 1200, ...config });
  for (let i = 0; i < 10; i++) {
    await s.append(
      't',
      Array.from({ length: 10 }, (_, j) => ({ value: `${i * 10 + j}`.padEnd(80, '.') })),
    );
    clock.now += 1000;
  }
}

/**
 * A store in a fresh dir on a clock the test moves (the background maintenance off unless `background`), closed
 * after `body` whatever happened.
 */
async function withClockedStore(
  body: (s: TopicStore, clock: { now: number }, dir: string) => Promise<void>,
  background = false,
): Promise<void> {
  const dir = tempDir();
  const clock = { now: 1_000_000 };
  const s = openStreams(dir, {
    clock: () => clock.now,
    onWarning: () => undefined,
    ...(background ? {} : { maintenanceIntervalMs: Number.POSITIVE_INFINITY }),
  });
  try {
    await body(s, clock, dir);
  } finally {
    await s.close();
  }
}

describe('retention (cleanupPolicy delete)', () => {
  it('deletes closed segments whose newest record is older than retentionMs, never the active one', () =>
    withClockedStore(async (s, clock, dir) => {
      await fill(s, clock, { retentionMs: 3500 });
      const before = segmentBases(dir);
      expect(before.length).toBe(10);
      // now = 1_010_000; segment k's newest record is at 1_000_000 + k*1000: older than 3.5 s for k <= 6.
      const [result] = await s.applyRetention('t');
      expect(result!.deleted).toEqual(before.slice(0, 7));
      expect(result!.earliest).toBe(70);
      expect(s.bounds('t', 0)).toEqual({ earliest: 70, next: 100 });
      expect((await s.readAll('t', 0)).map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => 70 + i));
      expect(() => s.reader('t', 0, 10)).toThrow(OffsetOutOfRangeError);
      expect(() => s.reader('t', 0, 10)).toThrow(/the earliest available offset is 70/);
      clock.now += 1_000_000;
      await s.applyRetention('t');
      expect(segmentBases(dir)).toEqual([90]);
    }));

  it('keeps an old segment that holds a young record (age is the newest record, not the file)', () =>
    withClockedStore(async (s, clock, dir) => {
      s.createTopic('t', { segmentBytes: 1200, retentionMs: 5000 });
      await s.append(
        't',
        Array.from({ length: 5 }, () => ({ value: 'x'.repeat(80) })),
      );
      await s.append('t', [{ value: 'young', timestamp: clock.now + 100_000 }]);
      await s.append(
        't',
        Array.from({ length: 10 }, () => ({ value: 'y'.repeat(80) })),
      );
      expect(segmentBases(dir).length).toBe(2);
      clock.now += 60_000;
      const [result] = await s.applyRetention('t');
      expect(result!.deleted).toEqual([]);
    }));

  it('deletes the oldest closed segments while the partition stays at least retentionBytes', () =>
    withClockedStore(async (s, clock, dir) => {
      await fill(s, clock, { retentionMs: -1, retentionBytes: 3000 });
      await s.applyRetention('t');
      const sizes = segmentBases(dir).map(
        (b) => statSync(join(dir, 't', '0', `${String(b).padStart(20, '0')}.log`)).size,
      );
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(3000);
      expect(total - sizes[0]!).toBeLessThan(3000);
    }));

  it('leaves compact-only topics alone, and runs by itself after an append once a minute', () =>
    withClockedStore(async (s, clock, dir) => {
      await fill(s, clock, { retentionMs: 1000, cleanupPolicy: 'compact' });
      expect((await s.applyRetention('t'))[0]!.deleted).toEqual([]);
      await s.alterTopic('t', { cleanupPolicy: 'compact,delete' });
      clock.now += 120_000;
      await s.append('t', [{ value: 'late' }]);
      await s.close(); // waits for the background retention
      expect(segmentBases(dir).length).toBe(1);
    }, true));
});
