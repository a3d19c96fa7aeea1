import { describe, expect, it } from 'vitest';
import { civilSeconds, compileTimestampRule, defaultYear, parseIsoTimestamp } from './timestamp-rules.js';

const read = (layout: string, values: string[], options = {}) =>
  compileTimestampRule({ fields: values.map((_, i) => `f${i}`), layout }, options)(values);

describe('timestamp rules', () => {
  it('normalises the HDFS stamp 081109 203615 to 2008-11-09T20:36:15, no offset', () => {
    expect(read('yyMMdd HHmmss', ['081109', '203615'])?.iso).toBe('2008-11-09T20:36:15');
  });

  it('reads two-digit years as strptime %y does: 00–68 → 20xx, 69–99 → 19xx', () => {
    expect(read('yyMMdd HHmmss', ['680101', '000000'])?.iso).toBe('2068-01-01T00:00:00');
    expect(read('yyMMdd HHmmss', ['690101', '000000'])?.iso).toBe('1969-01-01T00:00:00');
  });

  it('rejects impossible dates and times: month 13, 30 February, 29 February of a common year, 24:00, :60', () => {
    expect(read('yyMMdd HHmmss', ['081309', '203615'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2008-02-30', '10:00:00'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2007-02-29', '10:00:00'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2008-02-29', '10:00:00'])?.iso).toBe('2008-02-29T10:00:00');
    expect(read('yyyy-MM-dd HH:mm:ss', ['1900-02-29', '10:00:00'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2000-02-29', '10:00:00'])?.iso).toBe('2000-02-29T10:00:00');
    expect(read('yyyy-MM-dd HH:mm:ss', ['2008-01-01', '24:00:00'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2008-01-01', '23:59:60'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2008-00-01', '10:00:00'])).toBeNull();
    expect(read('yyyy-MM-dd HH:mm:ss', ['2008-01-00', '10:00:00'])).toBeNull();
  });

  it('keeps fractions as written and reads comma decimals (Hadoop, ZooKeeper)', () => {
    expect(read('yyyy-MM-dd HH:mm:ss,S', ['2015-10-18', '18:01:47,978'])?.iso).toBe('2015-10-18T18:01:47.978');
    expect(read('yyyy-MM-dd-HH.mm.ss.S', ['2005-06-03-15.42.50.675872'])?.iso).toBe('2005-06-03T15:42:50.675872');
  });

  it('adds --tz only to zone-less times and keeps a zone the source gives', () => {
    expect(read('yyMMdd HHmmss', ['081109', '203615'], { tz: '+0200' })?.iso).toBe('2008-11-09T20:36:15+02:00');
    expect(read('yyMMdd HHmmss', ['081109', '203615'], { tz: 'Z' })?.iso).toBe('2008-11-09T20:36:15Z');
    expect(read('yyyy-MM-dd HH:mm:ssZ', ['2008-11-09', '20:36:15-05:00'], { tz: '+02:00' })?.iso).toBe(
      '2008-11-09T20:36:15-05:00',
    );
    expect(() => read('yyMMdd HHmmss', ['081109', '203615'], { tz: 'Europe/Paris' })).toThrow(/offset/);
  });

  it('renders epochs in UTC with Z (an epoch is an absolute instant)', () => {
    expect(read('epoch', ['1077804742'])?.iso).toBe('2004-02-26T14:12:22Z');
    expect(read('epochms', ['1077804742123'])?.iso).toBe('2004-02-26T14:12:22.123Z');
    expect(read('epoch', ['12ab'])).toBeNull();
  });

  it('takes --year for syslog stamps without one; the month name and a one-digit day', () => {
    expect(read('MMM d HH:mm:ss', ['Dec', '10', '06:55:46'], { year: 2015 })?.iso).toBe('2015-12-10T06:55:46');
    expect(read('MMM d HH:mm:ss', ['Jun', '9', '06:55:46'], { year: 2015 })?.iso).toBe('2015-06-09T06:55:46');
    expect(read('MMM d HH:mm:ss', ['Feb', '29', '06:55:46'], { year: 2015 })).toBeNull();
    expect(read('MMM d HH:mm:ss', ['Feb', '29', '06:55:46'], { year: 2016 })?.iso).toBe('2016-02-29T06:55:46');
    expect(read('MMM d HH:mm:ss', ['Foo', '9', '06:55:46'], { year: 2015 })).toBeNull();
  });

  it('defaults the year to the current one, or the last if the date would be more than a day ahead', () => {
    const now = new Date('2024-01-05T12:00:00Z');
    expect(defaultYear(12, 31, now)).toBe(2023);
    expect(defaultYear(1, 5, now)).toBe(2024);
    expect(defaultYear(1, 6, now)).toBe(2024); // within a day: clocks differ
    expect(defaultYear(1, 7, now)).toBe(2023);
    expect(read('MMM d HH:mm:ss', ['Dec', '31', '23:00:00'], { now })?.iso).toBe('2023-12-31T23:00:00');
  });

  it('reads the Apache layout with its weekday', () => {
    expect(read('EEE MMM dd HH:mm:ss yyyy', ['Sun Dec 04 04:47:44 2005'])?.iso).toBe('2005-12-04T04:47:44');
  });

  it('computes wall-clock seconds like Date.UTC for any date', () => {
    for (const [y, mo, d] of [
      [1970, 1, 1],
      [2008, 11, 9],
      [2000, 2, 29],
      [1969, 12, 31],
      [2100, 3, 1],
    ] as const)
      expect(civilSeconds(y, mo, d, 20, 36, 15)).toBe(Date.UTC(y, mo - 1, d, 20, 36, 15) / 1000);
  });

  it('parses ISO-8601 as structured logs write it', () => {
    expect(parseIsoTimestamp('2024-03-01T12:00:00Z')?.iso).toBe('2024-03-01T12:00:00Z');
    expect(parseIsoTimestamp('2024-03-01 12:00:00.123+0100')?.iso).toBe('2024-03-01T12:00:00.123+01:00');
    expect(parseIsoTimestamp('2024-03-01')?.iso).toBe('2024-03-01T00:00:00');
    expect(parseIsoTimestamp('2024-13-01')).toBeNull();
    expect(parseIsoTimestamp('yesterday')).toBeNull();
  });

  it('refuses a layout without a month or day', () => {
    expect(() => compileTimestampRule({ fields: ['a'], layout: 'HH:mm:ss' })).toThrow(/month/);
  });
});
