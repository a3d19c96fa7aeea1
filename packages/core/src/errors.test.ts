import { describe, expect, it } from 'vitest';
import { CorruptionError, EscError, FileAccessError, InvalidInputError, describeFsError } from './errors.js';
import { ExitCode } from './exit-codes.js';

describe('EscError.describe', () => {
  it('puts the location first, as compilers and grep do', () => {
    expect(new InvalidInputError('bad date', { path: 'a.log', line: 7 }).describe()).toBe('a.log:7: bad date');
    expect(new CorruptionError('checksum mismatch', { path: 'seg-1.sst', offset: 4096 }).describe()).toBe(
      'seg-1.sst: offset 4096: checksum mismatch',
    );
    expect(new EscError('plain').describe()).toBe('plain');
  });
  it('maps errno codes to the strerror text of GNU tools', () => {
    const err = new FileAccessError('logs/x.log', Object.assign(new Error('x'), { code: 'ENOENT' }));
    expect(err.describe()).toBe('logs/x.log: No such file or directory');
    expect(err.exitCode).toBe(ExitCode.Error);
    expect(err.errno).toBe('ENOENT');
    expect(describeFsError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('Permission denied');
  });
  it('keeps the subclass name for callers that switch on it', () => {
    expect(new CorruptionError('x', {}).name).toBe('CorruptionError');
  });
});
