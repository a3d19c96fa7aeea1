import { describe, expect, it } from 'vitest';
import { LogIndex } from './log-index.js';

const levelOf = (offset: number) => (offset % 2 ? 'ERROR' : 'INFO');
const serviceOf = (offset: number) => (offset % 3 ? 's' : 't');

/** Offsets 10..end-1, every seventh a record that is not an event. */
function build(end: number): LogIndex {
  const index = new LogIndex();
  for (let offset = 10; offset < end; offset++) {
    if (offset % 7 === 0) index.skip(offset);
    else index.add({ offset, level: levelOf(offset), service: serviceOf(offset), timestamp: offset });
  }
  return index;
}

/** What the index should hold of the events from `from` to `end` (exclusive). */
function model(from: number, end: number) {
  const kept = Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i).filter((o) => o % 7 !== 0);
  const levels: Record<string, number> = {};
  for (const o of kept) levels[levelOf(o)] = (levels[levelOf(o)] ?? 0) + 1;
  return { kept, levels, services: new Set(kept.map(serviceOf)).size };
}

describe('LogIndex', () => {
  it('counts events, not offsets that held other records', () => {
    const index = build(3000);
    const m = model(10, 3000);
    expect(index.count).toBe(m.kept.length);
    expect(index.levelCounts()).toEqual(m.levels);
    expect(index.serviceCount()).toBe(2);
  });

  it.each([11, 1034, 2048, 2500, 2999, 5000, 17_000])(
    'forgets the events below a log start retention moved to %i: counts, lists, conditions, memory',
    (start) => {
      const end = 20_000;
      const index = build(end);
      const bytes = index.bytes;
      index.dropBelow(start);
      const m = model(start, end);
      expect(index.count).toBe(m.kept.length);
      expect(index.levelCounts()).toEqual(m.levels);
      expect(index.serviceCount()).toBe(m.services);
      for (const level of ['ERROR', 'INFO']) {
        const list = index.levelList(level)!;
        const offsets = Array.from({ length: list.length }, (_, i) => list.at(i));
        expect(offsets).toEqual(m.kept.filter((o) => levelOf(o) === level));
      }
      const t = index.levelIdOf('ERROR')!;
      for (const o of [start - 1, start, start + 1, 10_001, end - 1])
        expect(index.matches(o, t, undefined, 0, Number.POSITIVE_INFINITY)).toBe(
          o >= start && o < end && o % 7 !== 0 && levelOf(o) === 'ERROR',
        );
      // The time blocks stay right: event i's time is i, so a range finds exactly its own offsets.
      for (let o = end - 2; o >= start; o -= 997)
        if (o % 7 !== 0) expect(index.blockStartIfOutside(o, o, o)).toBeNull();
      expect(index.blockStartIfOutside(end - 1, 0, start - 1)).not.toBeNull();
      if (start >= 17_000) expect(index.bytes).toBeLessThan(bytes);
      // Appends go on after it, and forgetting again is idempotent.
      index.add({ offset: end, level: 'WARN', service: 'u', timestamp: end });
      index.dropBelow(start);
      expect(index.count).toBe(m.kept.length + 1);
      expect(index.levelCounts()).toEqual({ ...m.levels, WARN: 1 });
      expect(index.matches(end, index.levelIdOf('WARN'), index.serviceIdOf('u'), end, end)).toBe(true);
    },
  );

  it('forgets everything when retention passed the end, and an event appended after it is counted', () => {
    const index = build(3000);
    index.dropBelow(4096);
    expect(index.count).toBe(0);
    expect(index.levelCounts()).toEqual({});
    expect(index.serviceCount()).toBe(0);
    index.add({ offset: 4100, level: 'INFO', service: 's', timestamp: 1 });
    index.add({ offset: 10, level: 'INFO', service: 's', timestamp: 1 });
    expect(index.count).toBe(1);
    expect(index.matches(4100, undefined, undefined, 0, 1)).toBe(true);
  });

  it('indexes the events of one append as it indexes them one by one (runs of levels and services, gaps, a new base)', () => {
    const events = (from: number, end: number) =>
      Array.from({ length: end - from }, (_, i) => from + i)
        .filter((o) => o % 7 !== 0)
        .map((o) => ({
          offset: o,
          level: o % 50 < 25 ? 'INFO' : levelOf(o),
          service: `s${Math.floor(o / 40) % 5}`,
          timestamp: o,
        }));
    const one = new LogIndex();
    const bulk = new LogIndex();
    for (const [from, end] of [
      [10, 1500],
      [1500, 1501],
      [1501, 5000],
    ] as const) {
      for (const e of events(from, end)) one.add(e);
      bulk.addAll(events(from, end));
    }
    // Retention moved past part of the next append before it came back: those events are left out.
    one.dropBelow(5100);
    bulk.dropBelow(5100);
    for (const e of events(5000, 5300)) one.add(e);
    bulk.addAll(events(5000, 5300));
    expect(bulk.count).toBe(one.count);
    expect(bulk.levelCounts()).toEqual(one.levelCounts());
    expect(bulk.serviceCount()).toBe(one.serviceCount());
    for (const level of ['INFO', 'ERROR']) {
      const a = one.levelList(level)!;
      const b = bulk.levelList(level)!;
      expect(Array.from({ length: b.length }, (_, i) => b.at(i))).toEqual(
        Array.from({ length: a.length }, (_, i) => a.at(i)),
      );
    }
    for (let o = 5090; o < 5300; o++)
      for (const service of ['s0', 's3'])
        expect(bulk.matches(o, bulk.levelIdOf('INFO'), bulk.serviceIdOf(service), 0, o)).toBe(
          one.matches(o, one.levelIdOf('INFO'), one.serviceIdOf(service), 0, o),
        );
    expect(bulk.blockStartIfOutside(5299, 6000, 7000)).toEqual(one.blockStartIfOutside(5299, 6000, 7000));
  });
});
