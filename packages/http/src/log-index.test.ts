import { describe, expect, it } from 'vitest';
import { LogIndex } from './log-index.js';

describe('LogIndex', () => {
  it('counts events, not offsets that held other records, and from a log start that retention moved', () => {
    const index = new LogIndex();
    for (let offset = 10; offset < 3000; offset++) {
      if (offset % 7 === 0) index.skip(offset);
      else index.add({ offset, level: offset % 2 ? 'ERROR' : 'INFO', service: 's', timestamp: offset });
    }
    const events = (from: number) =>
      Array.from({ length: 3000 - from }, (_, i) => from + i).filter((o) => o % 7 !== 0).length;
    expect(index.count).toBe(events(10));
    expect(index.countFrom(0)).toBe(events(10));
    expect(index.countFrom(2048)).toBe(events(2048));
    expect(index.countFrom(5000)).toBe(0);
    const kept = Array.from({ length: 2990 }, (_, i) => 10 + i).filter((o) => o % 7 !== 0);
    expect(index.levelCounts()).toEqual({
      ERROR: kept.filter((o) => o % 2).length,
      INFO: kept.filter((o) => o % 2 === 0).length,
    });
  });
});
