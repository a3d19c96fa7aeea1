import { describe, expect, it } from 'vitest';
import { chooseBucketSeconds, parseDuration } from './histogram.js';
import { findBuiltinFormat } from './format-registry.js';
import { compileFormat } from './log-format.js';
import { compileRecordFilter, parseTimeBound } from './record-filter.js';

const hdfs = compileFormat(findBuiltinFormat('hdfs')!);
const line = (stamp: string, level: string, msg: string) => hdfs.parse(`${stamp} 1 ${level} dfs.A: ${msg}`)!;

describe('filters', () => {
  it('selects levels case-insensitively, with WARNING as WARN', () => {
    const keep = compileRecordFilter({ levels: ['warning', 'ERROR'] })!;
    expect([
      keep(line('081109 203615', 'WARN', 'x')),
      keep(line('081109 203615', 'ERROR', 'x')),
      keep(line('081109 203615', 'INFO', 'x')),
    ]).toEqual([true, true, false]);
  });

  it('selects a time window, inclusive at both ends, and drops records without a timestamp', () => {
    const keep = compileRecordFilter({ since: '2008-11-09T20:36:15', until: '2008-11-09T20:36:16' })!;
    expect(['203614', '203615', '203616', '203617'].map((t) => keep(line(`081109 ${t}`, 'INFO', 'x')))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(keep(line('081309 203615', 'INFO', 'x'))).toBe(false);
  });

  it('reads relative bounds against now (local wall clock)', () => {
    const now = new Date('2024-03-01T12:00:00Z');
    expect(parseTimeBound('-2h', now)).toBe(Date.UTC(2024, 2, 1, 10) / 1000 - now.getTimezoneOffset() * 60);
    expect(() => parseTimeBound('-2x', now)).toThrow(/relative/);
    expect(() => parseTimeBound('soon', now)).toThrow(/ISO-8601/);
  });

  it('greps the message with a regular expression', () => {
    const keep = compileRecordFilter({ grep: 'blk_\\d+ lost' })!;
    expect([
      keep(line('081109 203615', 'INFO', 'blk_12 lost')),
      keep(line('081109 203615', 'INFO', 'blk_x lost')),
    ]).toEqual([true, false]);
    expect(() => compileRecordFilter({ grep: '(' })).toThrow(/--grep/);
    expect(compileRecordFilter({})).toBeUndefined();
  });
});

describe('histogram buckets', () => {
  it('reads bucket sizes', () => {
    expect(['1s', '30s', '1m', '2h', '1d', '1w', '0m', 'soon'].map(parseDuration)).toEqual([
      1,
      30,
      60,
      7200,
      86400,
      604800,
      null,
      null,
    ]);
  });

  it('chooses the smallest standard size giving at most 30 rows', () => {
    expect(chooseBucketSeconds(0, 29)).toBe(1);
    expect(chooseBucketSeconds(0, 30)).toBe(5);
    expect(chooseBucketSeconds(0, 135842)).toBe(7200);
    expect(chooseBucketSeconds(0, 86400 * 400)).toBe(2592000);
  });
});
