import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressWanted } from './progress-bar.js';

const tty = (isTTY: boolean) =>
  Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY }) as unknown as NodeJS.WriteStream;

/** A terminal-like stream (with `extra`'s cursor methods) that keeps what is written to it. */
function recordingTty(extra: object): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const sink = new Writable({
    write(c, _e, cb) {
      text += String(c);
      cb();
    },
  });
  return { stream: Object.assign(sink, { isTTY: true }, extra) as unknown as NodeJS.WriteStream, written: () => text };
}

describe('progress bar', () => {
  it('is wanted on a terminal only, never in CI or on a dumb terminal', () => {
    expect(progressWanted(tty(true), {})).toBe(true);
    expect(progressWanted(tty(false), {})).toBe(false);
    expect(progressWanted(tty(true), { CI: 'true' })).toBe(false);
    expect(progressWanted(tty(true), { TERM: 'dumb' })).toBe(false);
  });

  it('draws nothing when disabled or when the size is unknown', () => {
    const { stream, written } = recordingTty({});
    for (const p of [createProgress(1000, false, stream), createProgress(null, true, stream)]) {
      p.update(500);
      p.stop();
    }
    expect(written()).toBe('');
  });

  it('draws bytes read of the total, the rate and the ETA once enabled, and clears itself at the end', () => {
    const { stream, written } = recordingTty({
      columns: 120,
      cursorTo() {},
      clearLine() {},
      moveCursor() {},
    });
    const p = createProgress(4 * 1048576, true, stream, 0);
    p.update(2 * 1048576);
    p.stop();
    expect(written()).toMatch(/parsing \[.*\] 50% \| 2\.0\/4\.0 MiB \| [\d.]+ MiB\/s \| ETA/);
  });
});
