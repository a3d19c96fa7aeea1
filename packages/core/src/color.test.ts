import { describe, expect, it } from 'vitest';
import { parseColorMode, shouldColor } from './color.js';

describe('shouldColor', () => {
  // fd 99 is never a TTY, so "auto" without overrides means no colour.
  it('follows an explicit mode over the environment', () => {
    expect(shouldColor('always', 99, { NO_COLOR: '1' })).toBe(true);
    expect(shouldColor('never', 99, { FORCE_COLOR: '1' })).toBe(false);
  });
  it('honours NO_COLOR before FORCE_COLOR in auto mode', () => {
    expect(shouldColor('auto', 99, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(shouldColor('auto', 99, { NO_COLOR: '' })).toBe(false);
  });
  it('forces colour into a pipe with FORCE_COLOR, except 0/false', () => {
    expect(shouldColor('auto', 99, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor('auto', 99, { FORCE_COLOR: '' })).toBe(true);
    expect(shouldColor('auto', 99, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor('auto', 99, { FORCE_COLOR: 'false' })).toBe(false);
  });
  it('does not colour a non-TTY in auto mode', () => {
    expect(shouldColor('auto', 99, {})).toBe(false);
  });
});

describe('parseColorMode', () => {
  it('accepts grep spellings and rejects others', () => {
    expect(parseColorMode('always')).toBe('always');
    expect(parseColorMode('tty')).toBe('auto');
    expect(parseColorMode('none')).toBe('never');
    expect(() => parseColorMode('sometimes')).toThrow(/invalid --color/);
  });
});

describe('createPalette', () => {
  it('is the identity without colour, for any chain of styles', async () => {
    const { createPalette } = await import('./color.js');
    const p = createPalette(false);
    expect(p.red('x')).toBe('x');
    expect(p.bold.magenta('a', 'b')).toBe('a b');
    expect(p.hex('#fff').bgRed(`n=${3}`)).toBe('n=3');
    expect(p.level).toBe(0);
  });
  it('emits ANSI escapes with colour', async () => {
    const { createPalette } = await import('./color.js');
    expect(createPalette(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});
