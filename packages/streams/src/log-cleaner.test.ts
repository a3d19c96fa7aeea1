import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCleanJob } from './log-cleaner.js';
import { CLEANER_STATE_FILE, planClean } from './partition-cleaner.js';
import type { LogRecord } from './record-batch.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams, type TopicStore } from './topic-store.js';

const tempDir = useTempDirs('cleaner');

function view(rs: LogRecord[]): [number, string | null, string | null][] {
  return rs.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
}

/** 600 records over 20 keys (k0..k19), in appends of 20, with 2 KiB segments: many closed segments. */
async function fill(s: TopicStore, config: Record<string, unknown> = {}): Promise<[string, string | null][]> {
  s.createTopic('t', { cleanupPolicy: 'compact', segmentBytes: 2048, ...config });
  const written: [string, string | null][] = [];
  for (let i = 0; i < 600; i += 20) {
    const records = Array.from({ length: 20 }, (_, j) => {
      const n = i + j;
      return { key: `k${n % 20}`, value: n % 97 === 5 ? null : `v${n}` };
    });
    await s.append('t', records);
    for (const r of records) written.push([r.key, r.value]);
  }
  return written;
}

function segments(dir: string): string[] {
  return readdirSync(join(dir, 't', '0')).filter((f) => f.endsWith('.log'));
}

describe('log cleaner (cleanupPolicy compact)', () => {
  it('keeps the latest record of every key in the closed segments, offsets and order kept, the active one untouched', async () => {
    const dir = tempDir();
    const s = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    try {
      const written = await fill(s);
      const before = await s.readAll('t', 0);
      const activeBase = Number(segments(dir).sort().at(-1)!.slice(0, 20));
      const [result] = await s.compact('t');
      expect(result!.groups.length).toBeGreaterThan(0);
      const after = await s.readAll('t', 0);
      // Kafka's rule: a record is dropped only if a later record has its key; the active segment is as it was.
      const lastOffsetOfKey = new Map(written.map(([k], offset) => [k, offset]));
      const expected = before.filter(
        (r) =>
          r.offset >= activeBase ||
          lastOffsetOfKey.get(r.key!.toString())! <= r.offset ||
          !closedHasLater(r, written, activeBase),
      );
      expect(view(after)).toEqual(view(expected));
      expect(after.length).toBeLessThan(before.length);
      expect(segments(dir).length).toBeLessThan(readdirSync(join(dir, 't', '0')).length);
      expect(s.bounds('t', 0)).toEqual({ earliest: 0, next: 600 });
    } finally {
      await s.close();
    }
  });

  it('keeps tombstones for deleteRetentionMs, then drops them at a later cleaning', async () => {
    const dir = tempDir();
    let now = 1_000_000;
    const s = openStreams(dir, {
      clock: () => now,
      onWarning: () => undefined,
      maintenanceIntervalMs: Number.POSITIVE_INFINITY,
    });
    try {
      s.createTopic('t', { cleanupPolicy: 'compact', segmentBytes: 300, deleteRetentionMs: 10_000 });
      await s.append('t', [
        { key: 'gone', value: 'x' },
        { key: 'kept', value: 'y' },
      ]);
      await s.append('t', [{ key: 'gone', value: null }]);
      for (let i = 0; i < 10; i++) await s.append('t', [{ key: `filler${i}`, value: 'z'.repeat(100) }]);
      await s.compact('t');
      const first = view(await s.readAll('t', 0)).filter(([, k]) => k === 'gone');
      expect(first).toEqual([[2, 'gone', null]]);
      now += 20_000;
      await s.append('t', [{ key: 'late', value: 'w'.repeat(200) }]);
      await s.compact('t');
      expect(view(await s.readAll('t', 0)).filter(([, k]) => k === 'gone')).toEqual([]);
      expect(view(await s.readAll('t', 0)).filter(([, k]) => k === 'kept')).toEqual([[1, 'kept', 'y']]);
    } finally {
      await s.close();
    }
  });

  it('counts deleteRetentionMs from the first cleaning, not from an old record timestamp, across a reopen', async () => {
    const dir = tempDir();
    let now = 1_800_000_000_000;
    const options = { clock: () => now, onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY };
    let s = openStreams(dir, options);
    const gone = async () => view(await s.readAll('t', 0)).filter(([, k]) => k === 'gone');
    /** Closes the active segment (segments of 300 bytes), so the records before it can be cleaned. */
    const roll = (name: string) => s.append('t', [{ key: name, value: 'w'.repeat(200) }]);
    try {
      s.createTopic('t', { cleanupPolicy: 'compact', segmentBytes: 300, deleteRetentionMs: 10_000 });
      await s.append('t', [{ key: 'gone', value: 'x' }]);
      // A tombstone stamped a day ago: by its timestamp it is long past deleteRetentionMs already.
      await s.append('t', [{ key: 'gone', value: null, timestamp: now - 86_400_000 }]);
      await roll('r1');
      await s.compact('t');
      expect(await gone()).toEqual([[1, 'gone', null]]);
      // Cleaned again 9.999 s after its first cleaning (and after a restart): still there.
      await s.close();
      s = openStreams(dir, options);
      now += 9_999;
      await roll('r2');
      await s.compact('t');
      expect(await gone()).toEqual([[1, 'gone', null]]);
      // deleteRetentionMs after the first cleaning: the next cleaning drops it.
      now += 1;
      await roll('r3');
      await s.compact('t');
      expect(await gone()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('keeps the tombstones of a log cleaned before first-cleaning times were recorded for deleteRetentionMs more', async () => {
    const dir = tempDir();
    let now = 1_800_000_000_000;
    const s = openStreams(dir, {
      clock: () => now,
      onWarning: () => undefined,
      maintenanceIntervalMs: Number.POSITIVE_INFINITY,
    });
    const part = join(dir, 't', '0');
    const gone = async () => view(await s.readAll('t', 0)).filter(([, k]) => k === 'gone');
    try {
      s.createTopic('t', { cleanupPolicy: 'compact', segmentBytes: 300, deleteRetentionMs: 10_000 });
      await s.append('t', [{ key: 'gone', value: null, timestamp: now - 86_400_000 }]);
      await s.append('t', [{ key: 'r1', value: 'w'.repeat(200) }]);
      await s.compact('t');
      // An older version's checkpoint: the clean point only.
      const { cleanEnd } = JSON.parse(readFileSync(join(part, CLEANER_STATE_FILE), 'utf8')) as { cleanEnd: number };
      writeFileSync(join(part, CLEANER_STATE_FILE), JSON.stringify({ cleanEnd, swaps: [] }));
      now += 1_000_000;
      await s.append('t', [{ key: 'r2', value: 'w'.repeat(200) }]);
      await s.compact('t');
      expect(await gone()).toEqual([[0, 'gone', null]]);
      now += 10_000;
      await s.append('t', [{ key: 'r3', value: 'w'.repeat(200) }]);
      await s.compact('t');
      expect(await gone()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('leaves segments younger than minCompactionLagMs alone, and waits for minCleanableDirtyRatio unless forced', async () => {
    const dir = tempDir();
    const s = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    try {
      await fill(s, { minCompactionLagMs: 3_600_000 });
      const before = await s.readAll('t', 0);
      const [result] = await s.compact('t');
      expect(result!.groups).toEqual([]);
      expect(view(await s.readAll('t', 0))).toEqual(view(before));
      await s.alterTopic('t', { minCompactionLagMs: 0, minCleanableDirtyRatio: 1 });
      // Everything is dirty (ratio 1 >= 1): the plan goes ahead; after it, nothing is dirty.
      const config = s.topicConfig('t');
      expect(planClean(join(dir, 't', '0'), config, Date.now(), false)?.dirtyRatio).toBe(1);
      await s.compact('t');
      expect(planClean(join(dir, 't', '0'), config, Date.now(), false)).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('survives a crash mid-compaction: before the commit the old log is read, after it the swap is finished', async () => {
    const dir = tempDir();
    const part = join(dir, 't', '0');
    let s = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    await fill(s);
    const before = await s.readAll('t', 0);
    const plan = planClean(part, s.topicConfig('t'), Date.now(), true)!;
    await s.close();
    // Crash 1: .cleaned files written, nothing recorded. Readers see the old log; the next pass discards them.
    const groups = runCleanJob(plan.job);
    expect(readdirSync(part).some((f) => f.endsWith('.cleaned'))).toBe(true);
    s = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    expect(view(await s.readAll('t', 0))).toEqual(view(before));
    await s.close();
    // Crash 2: the swap recorded (the commit point) but no file renamed yet. Readers still see a whole log.
    writeFileSync(
      join(part, CLEANER_STATE_FILE),
      JSON.stringify({
        cleanEnd: plan.job.cleanableEnd,
        swaps: groups.map((g) => ({ base: g.base, sources: g.sources })),
      }),
    );
    s = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    try {
      expect(view(await s.readAll('t', 0))).toEqual(view(before));
      await s.compact('t');
      const after = await s.readAll('t', 0);
      expect(after.length).toBeLessThan(before.length);
      expect(readdirSync(part).some((f) => f.endsWith('.cleaned'))).toBe(false);
      expect(existsSync(join(part, CLEANER_STATE_FILE))).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('gives a reader in flight a consistent log: offsets increase and every record is the one written there', async () => {
    const dir = tempDir();
    const s = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    try {
      const written = await fill(s);
      const reader = s.reader('t', 0, 'earliest');
      const seen: LogRecord[] = [];
      for (let i = 0; i < 3; i++) seen.push(...reader.poll());
      await s.compact('t');
      for (let batch = reader.poll(); batch.length > 0; batch = reader.poll()) seen.push(...batch);
      reader.close();
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.offset).toBeGreaterThan(seen[i - 1]!.offset);
      for (const r of seen) expect([r.key?.toString(), r.value?.toString() ?? null]).toEqual(written[r.offset]);
      expect(seen.at(-1)!.offset).toBe(599);
    } finally {
      await s.close();
    }
  });
});

/** Whether a closed-segment record has a later record of its key (so compaction may drop it). */
function closedHasLater(r: LogRecord, written: [string, string | null][], activeBase: number): boolean {
  if (r.offset >= activeBase) return false;
  const key = r.key!.toString();
  return written.some(([k], offset) => offset > r.offset && offset < activeBase && k === key);
}
