import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_FORMATS } from './format-registry.js';
import { compileFormat } from './log-format.js';
import type { FormatDefinition } from './format-types.js';
import { RecordParser } from './record-stream.js';
import { StatsAccumulator } from './stats-accumulator.js';
import { HDFS_2K } from '@esc/test-fixtures';

const HDFS_SAMPLE = readFileSync(HDFS_2K, 'latin1');

/** Stats of `text` parsed with `def`, fed in pieces of `piece` characters (the fast path when def is the built-in hdfs). */
function statsOf(text: string, def: FormatDefinition, piece = text.length || 1) {
  const stats = new StatsAccumulator('sample', def.name, { bucketSeconds: 3600 });
  const parser = new RecordParser({ format: compileFormat(def, { year: 2008 }), stats, collect: false });
  for (let i = 0; i < text.length; i += piece) parser.push(text.slice(i, i + piece), null);
  parser.finish(null);
  return stats.report();
}

/** The messages the onMessage hook sees, in order, for the same parse as statsOf; it skips `skip` after each. */
function messagesOf(text: string, def: FormatDefinition, piece = text.length || 1, skip = 0): string[] {
  const seen: string[] = [];
  const stats = new StatsAccumulator('sample', def.name);
  const format = compileFormat(def, { year: 2008 });
  const onMessage = (m: string) => {
    seen.push(m);
    return skip;
  };
  const parser = new RecordParser({ format, stats, collect: false, onMessage });
  for (let i = 0; i < text.length; i += piece) parser.push(text.slice(i, i + piece), null);
  parser.finish(null);
  return seen;
}

describe('statistics of the HDFS sample, checked against counts computed here independently', () => {
  const report = statsOf(HDFS_SAMPLE, BUILTIN_FORMATS[0]!);
  // Independent: split on whitespace, no regex of the parser's.
  const rows = HDFS_SAMPLE.split('\r\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
  const count = (key: (r: string[]) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return m;
  };

  it('counts lines and levels: INFO 1920 (96.00%), WARN 80 (4.00%)', () => {
    expect(rows.length).toBe(2000);
    expect(report.lines).toEqual({ read: 2000, parsed: 2000, malformed: 0, invalidTimestamps: 0, filteredOut: 0 });
    const levels = count((r) => r[3]!);
    expect(report.levels).toEqual(
      [...levels]
        .sort((a, b) => b[1] - a[1])
        .map(([level, n]) => ({ level, count: n, percent: Math.round((n / 2000) * 10000) / 100 })),
    );
    expect(report.levels).toEqual([
      { level: 'INFO', count: 1920, percent: 96 },
      { level: 'WARN', count: 80, percent: 4 },
    ]);
  });

  it('finds the top components', () => {
    const comps = [...count((r) => r[4]!.replace(/:$/, ''))]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 5);
    expect(report.topComponents.map((c) => [c.component, c.count])).toEqual(comps);
  });

  it('gives first, last, span, events/s and the peaks', () => {
    const secs = rows.map(
      (r) =>
        Date.UTC(
          2000 + Number(r[0]!.slice(0, 2)),
          Number(r[0]!.slice(2, 4)) - 1,
          Number(r[0]!.slice(4)),
          Number(r[1]!.slice(0, 2)),
          Number(r[1]!.slice(2, 4)),
          Number(r[1]!.slice(4)),
        ) / 1000,
    );
    const lo = Math.min(...secs);
    const hi = Math.max(...secs);
    expect(report.time.first).toBe(new Date(lo * 1000).toISOString().slice(0, 19));
    expect(report.time.last).toBe(new Date(hi * 1000).toISOString().slice(0, 19));
    expect(report.time.spanSeconds).toBe(hi - lo);
    expect(report.rate.eventsPerSecond).toBeCloseTo(2000 / (hi - lo), 12);
    expect(report.rate.denominatorSeconds).toBe(hi - lo);
    const perSec = new Map<number, number>();
    for (const s of secs) perSec.set(s, (perSec.get(s) ?? 0) + 1);
    const maxSec = Math.max(...perSec.values());
    const peakSec = Math.min(...[...perSec].filter(([, n]) => n === maxSec).map(([s]) => s));
    expect(report.rate.peakSecond).toEqual({ at: new Date(peakSec * 1000).toISOString().slice(0, 19), events: maxSec });
    const perMin = new Map<number, number>();
    for (const s of secs) perMin.set(Math.floor(s / 60), (perMin.get(Math.floor(s / 60)) ?? 0) + 1);
    const maxMin = Math.max(...perMin.values());
    const peakMin = Math.min(...[...perMin].filter(([, n]) => n === maxMin).map(([m]) => m));
    expect(report.rate.peakMinute).toEqual({
      at: new Date(peakMin * 60000).toISOString().slice(0, 16),
      events: maxMin,
    });
  });

  it('draws every hour bucket from the first to the last, empty ones included, summing to all events', () => {
    const b = report.histogram.buckets;
    expect(report.histogram.bucket).toBe('1h');
    expect(b[0]!.start).toBe('2008-11-09T20:00:00');
    expect(b[b.length - 1]!.start).toBe('2008-11-11T10:00:00');
    expect(b.length).toBe(39);
    expect(b.reduce((n, x) => n + x.events, 0)).toBe(2000);
    expect(b.reduce((n, x) => n + x.warn, 0)).toBe(80);
  });

  it('shows empty buckets between events', () => {
    const gap = statsOf('081109 200000 1 INFO a: x\n081109 231500 1 ERROR a: y 1\n', BUILTIN_FORMATS[0]!).histogram
      .buckets;
    expect(gap.map((x) => [x.start, x.events, x.error])).toEqual([
      ['2008-11-09T20:00:00', 1, 0],
      ['2008-11-09T21:00:00', 0, 0],
      ['2008-11-09T22:00:00', 0, 0],
      ['2008-11-09T23:00:00', 1, 1],
    ]);
  });

  it('lists the most frequent WARN messages with numbers masked', () => {
    const warn = report.topMessages.WARN!;
    expect(warn.reduce((n, m) => n + m.count, 0)).toBeLessThanOrEqual(80);
    expect(warn[0]!.message).toMatch(/<\*>/);
  });
});

describe('the hdfs fast statistics path agrees with the general path', () => {
  // A copy of the definition has no fast path (only the built-in object itself does).
  const general: FormatDefinition = { ...BUILTIN_FORMATS[0]! };

  it('on the HDFS sample, fed whole and in odd pieces', () => {
    expect(statsOf(HDFS_SAMPLE, BUILTIN_FORMATS[0]!, 777)).toEqual(statsOf(HDFS_SAMPLE, general));
    // The message hook sees the Content column of every line, on either path.
    const contents = HDFS_SAMPLE.split('\r\n')
      .filter(Boolean)
      .map((l) => l.slice(l.indexOf(': ') + 2));
    expect(messagesOf(HDFS_SAMPLE, BUILTIN_FORMATS[0]!, 777)).toEqual(contents);
    expect(messagesOf(HDFS_SAMPLE, general)).toEqual(contents);
    // Skipping 2 after each: every third message, the WARN lines of the general path included.
    const third = contents.filter((_, i) => i % 3 === 0);
    expect(messagesOf(HDFS_SAMPLE, BUILTIN_FORMATS[0]!, 777, 2)).toEqual(third);
    expect(messagesOf(HDFS_SAMPLE, general, undefined, 2)).toEqual(third);
  });

  it('on random HDFS-like lines with blanks, tabs, bad dates, odd levels and junk', () => {
    const part = fc.constantFrom(
      '081109',
      '081331',
      '080230',
      '203615',
      '256199',
      '148',
      'INFO',
      'WARN',
      'info',
      'ERROR',
      'dfs.A:',
      'dfs.B$C:',
      'a:b:',
      ':',
      'x',
      '',
      'é',
      '\u00a0',
      'blk_1',
    );
    const sep = fc.constantFrom(' ', '  ', '\t', ': ', '');
    const line = fc.oneof(
      fc
        .tuple(
          fc.constantFrom('081109', '081110', '081331', ' 081109'),
          fc.constantFrom(' ', '  '),
          fc.constantFrom('203615', '203616', '246199'),
          fc.constantFrom(' 148 ', ' 1 ', '  2 '),
          fc.constantFrom('INFO', 'WARN', 'ERROR', 'DEBUG', 'Info'),
          fc.constantFrom(' dfs.A', ' dfs.B$C', ' a:b', '\tdfs.A', ' é'),
          fc.constantFrom(': ', ':  ', ':', ': \t'),
          fc.constantFrom('msg 1', 'blk_2 lost', '', ' ', 'x\r', 'é'),
        )
        .map((p) => p.join('')),
      fc
        .array(
          fc.tuple(part, sep).map(([a, b]) => a + b),
          { maxLength: 8 },
        )
        .map((p) => p.join('')),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        (lines, eol, finalEol, piece) => {
          const text = lines.join(eol) + (finalEol ? eol : '');
          expect(statsOf(text, BUILTIN_FORMATS[0]!, piece)).toEqual(statsOf(text, general));
          expect(messagesOf(text, BUILTIN_FORMATS[0]!, piece)).toEqual(messagesOf(text, general));
          expect(messagesOf(text, BUILTIN_FORMATS[0]!, piece, 1)).toEqual(messagesOf(text, general, undefined, 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
