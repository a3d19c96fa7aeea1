import { describe, expect, it } from 'vitest';
import { parseCount } from './byte-size.js';

describe('parseCount', () => {
  it('reads N, +N and the suffixes head and tail accept', () => {
    expect(parseCount('10', '-n')).toEqual({ value: 10, fromStart: false });
    expect(parseCount('+3', '-n')).toEqual({ value: 3, fromStart: true });
    expect(parseCount('-7', '-n')).toEqual({ value: 7, fromStart: false });
    expect(parseCount('2b', '-c').value).toBe(1024);
    expect(parseCount('1K', '-c').value).toBe(1024);
    expect(parseCount('1k', '-c').value).toBe(1024);
    expect(parseCount('1kB', '-c').value).toBe(1000);
    expect(parseCount('1KiB', '-c').value).toBe(1024);
    expect(parseCount('3M', '-c').value).toBe(3 * 1024 ** 2);
    expect(parseCount('2MB', '-c').value).toBe(2e6);
    expect(parseCount('1G', '-c').value).toBe(1024 ** 3);
    expect(parseCount('+1K', '-c')).toEqual({ value: 1024, fromStart: true });
  });

  it('clamps huge values instead of losing precision', () => {
    expect(parseCount('99999999999999999999999', '-n').value).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseCount('9Y', '-c').value).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects what tail rejects, naming the flag', () => {
    for (const bad of ['', 'x', '1X', '1.5', '--1', '1 K']) {
      expect(() => parseCount(bad, '-c')).toThrow(/-c/);
    }
  });
});
