import { describe, expect, it } from 'vitest';
import { resolveOperands } from './operand-order.js';

// A fake file system: only these paths exist (app.log is a file, logs/ a directory).
const FILES = new Set(['app.log']);
const PATHS = new Set(['app.log', 'logs']);
const resolve = (operands: string[], e: string[] = []) =>
  resolveOperands(
    operands,
    e,
    (p) => FILES.has(p),
    (p) => PATHS.has(p),
  );

describe('loggrep operand order', () => {
  it('reads FILE PATTERN when the first word is an existing file and the second is no path', () => {
    expect(resolve(['app.log', 'ERROR'])).toEqual({ patterns: ['ERROR'], files: ['app.log'] });
    expect(resolve(['-', 'ERROR'])).toEqual({ patterns: ['ERROR'], files: ['-'] });
  });

  it("keeps grep's PATTERN FILE... otherwise", () => {
    expect(resolve(['ERROR', 'app.log'])).toEqual({ patterns: ['ERROR'], files: ['app.log'] });
    expect(resolve(['app.log', 'logs'])).toEqual({ patterns: ['app.log'], files: ['logs'] });
    expect(resolve(['ERROR', 'a.log', 'b.log'])).toEqual({ patterns: ['ERROR'], files: ['a.log', 'b.log'] });
    expect(resolve(['app.log', 'x'], ['ERROR'])).toEqual({ patterns: ['ERROR'], files: ['app.log', 'x'] });
    expect(resolve([])).toEqual({ patterns: [], files: [] });
  });

  it('names the missing file, not the pattern, when a missing FILE comes first in the original order', () => {
    expect(resolve(['logs/x.log', 'ERROR'])).toEqual({ patterns: ['ERROR'], files: ['logs/x.log'] });
    expect(resolve(['missing.log', 'WARN'])).toEqual({ patterns: ['WARN'], files: ['missing.log'] });
    // Both or neither look like file names: grep's reading.
    expect(resolve(['ERROR', 'missing.log'])).toEqual({ patterns: ['ERROR'], files: ['missing.log'] });
    expect(resolve(['a.log', 'b.log'])).toEqual({ patterns: ['a.log'], files: ['b.log'] });
    expect(resolve(['ERROR', 'WARN'])).toEqual({ patterns: ['ERROR'], files: ['WARN'] });
  });
});
