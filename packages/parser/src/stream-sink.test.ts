import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamSink } from './stream-sink.js';

/** A stream whose writes reach their "descriptor" only later, as a pipe that a slow reader keeps full. */
function slowStream(delayMs: number) {
  const written: string[] = [];
  const stream = new Writable({
    highWaterMark: 1 << 30, // never asks for a drain: the case where waiting for 'drain' alone returned early
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        written.push(chunk.toString('latin1'));
        callback();
      }, delayMs);
    },
  });
  return { stream, written };
}

describe('StreamSink', () => {
  it('end() resolves only once every block has been written out', async () => {
    const { stream, written } = slowStream(20);
    const sink = new StreamSink(stream);
    sink.write(`${'y'.repeat(300 * 1024)}\n`, true); // a block of its own
    sink.write('end\n', true); // the small last block
    await sink.end();
    expect(written.join('')).toBe(`${'y'.repeat(300 * 1024)}\nend\n`);
  });

  it('end() with nothing written resolves at once', async () => {
    const { stream, written } = slowStream(20);
    await new StreamSink(stream).end();
    expect(written).toEqual([]);
  });
});
