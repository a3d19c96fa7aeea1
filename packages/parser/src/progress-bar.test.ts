import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressWanted } from './progress-bar.js';

const tty = (isTTY: boolean) => Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY }) as unknown as NodeJS.WriteStream;

describe('progress bar', () => {
  it('is wanted on a terminal only, never in CI or on a dumb terminal', () => {
    expect(progressWanted(tty(true), {})).toBe(true);
    expect(progressWanted(tty(false), {})).toBe(false);
    expect(progressWanted(tty(true), { CI: 'true' })).toBe(false);
    expect(progressWanted(tty(true), { TERM: 'dumb' })).toBe(false);
  });

  it('draws nothing when disabled or when the size is unknown', () => {
    let written = '';
    const stream = Object.assign(new Writable({ write: (c, _e, cb) => ((written += String(c)), cb()) }), { isTTY: true }) as unknown as NodeJS.WriteStream;
    for (const p of [createProgress(1000, false, stream), createProgress(null, true, stream)]) {
      p.update(500);
      p.stop();
    }
    expect(written).toBe('');
  });
});
