import { describe, expect, it } from 'vitest';
import { FrameDecoder } from './pls-frame.js';
import { type FramesChunk, RecentFrames } from './recent-frames.js';

const payloads = (...texts: string[]) => texts.map((t) => Buffer.from(t));

/** The deliveries of a chunk from `offset` on, as `topic payload` strings. */
function deliveries(chunk: FramesChunk, offset: number): string[] {
  const out: string[] = [];
  new FrameDecoder(1 << 20, false).push(chunk.frames.subarray(chunk.starts[offset - chunk.first]), (body) =>
    out.push(body.toString()),
  );
  return out;
}

describe('RecentFrames', () => {
  it('keeps the delivery frames of an append, found from any offset in it', () => {
    const recent = new RecentFrames();
    recent.add('t', 0, 10, payloads('a', 'bb', ''));
    const chunk = recent.find('t', 0, 10)!;
    expect(chunk).toMatchObject({ first: 10, count: 3 });
    expect(deliveries(chunk, 10)).toEqual(['t a', 't bb', 't ']);
    expect(recent.find('t', 0, 12)).toBe(chunk);
    expect(deliveries(chunk, 12)).toEqual(['t ']);
    expect(recent.find('t', 0, 9)).toBeUndefined();
    expect(recent.find('t', 0, 13)).toBeUndefined();
    expect(recent.find('t', 1, 10)).toBeUndefined();
    expect(recent.find('u', 0, 10)).toBeUndefined();
  });

  it('keeps a gap (records appended by others) as a gap', () => {
    const recent = new RecentFrames();
    recent.add('t', 0, 0, payloads('a', 'b'));
    recent.add('t', 0, 5, payloads('f'));
    expect(recent.find('t', 0, 1)?.first).toBe(0);
    expect(recent.find('t', 0, 2)).toBeUndefined();
    expect(recent.find('t', 0, 5)?.first).toBe(5);
  });

  it('says how many frame bytes lie from an offset to the newest record kept, 0 for what is not kept', () => {
    // Frames of topic 't': 4 + 2 + payload bytes each.
    const recent = new RecentFrames(50);
    recent.add('t', 0, 0, payloads('a', 'bb'));
    recent.add('t', 0, 2, payloads('ccc'));
    recent.add('t', 1, 0, payloads('z'));
    expect([0, 1, 2, 3].map((o) => recent.bytesAfter('t', 0, o))).toEqual([7 + 8 + 9, 8 + 9, 9, 0]);
    expect(recent.bytesAfter('t', 1, 0)).toBe(7);
    // Past the budget the oldest chunk goes: its offsets are read from the log, they count 0.
    recent.add('t', 0, 5, payloads('x'.repeat(20)));
    expect(recent.bytesAfter('t', 0, 0)).toBe(0);
    expect([2, 5].map((o) => recent.bytesAfter('t', 0, o))).toEqual([9 + 26, 26]);
  });

  it('splits an append over several partitions by the ack', () => {
    const recent = new RecentFrames();
    recent.appended('t', payloads('a', 'b', 'c', 'd'), {
      count: 4,
      partitions: [1, 0, 1, 1],
      firstOffsets: new Map([
        [0, 7],
        [1, 3],
      ]),
    });
    expect(deliveries(recent.find('t', 0, 7)!, 7)).toEqual(['t b']);
    expect(deliveries(recent.find('t', 1, 3)!, 3)).toEqual(['t a', 't c', 't d']);
    recent.appended('t', payloads('e'), { count: 1, partitions: 0, firstOffsets: new Map([[0, 8]]) });
    expect(deliveries(recent.find('t', 0, 8)!, 8)).toEqual(['t e']);
  });

  it('finds every offset among many appends with gaps, as a model of offset -> append says', () => {
    const recent = new RecentFrames();
    const model = new Map<number, number>();
    let next = 0;
    for (let i = 0; i < 500; i++) {
      next += i % 7 === 0 ? 3 : 0; // records appended by others
      const n = 1 + ((i * 13) % 5);
      recent.add('t', 0, next, payloads(...Array.from({ length: n }, (_, k) => `${next + k}`)));
      for (let k = 0; k < n; k++) model.set(next + k, next);
      next += n;
    }
    for (let offset = -1; offset <= next; offset++) {
      const chunk = recent.find('t', 0, offset);
      expect(chunk?.first).toBe(model.get(offset));
      if (chunk !== undefined) expect(deliveries(chunk, offset)[0]).toBe(`t ${offset}`);
    }
  });

  it('drops the oldest frames past its byte budget', () => {
    // Each frame of one 10-byte payload on topic t: 4 + 2 + 10 bytes.
    const recent = new RecentFrames(16 * 5);
    for (let i = 0; i < 8; i++) recent.add(i % 2 === 0 ? 't' : 'u', 0, i, payloads('x'.repeat(10)));
    expect(recent.size).toBe(16 * 5);
    expect(recent.find('t', 0, 0)).toBeUndefined();
    expect(recent.find('u', 0, 1)).toBeUndefined();
    expect(recent.find('u', 0, 3)?.first).toBe(3);
    expect(recent.find('t', 0, 6)?.first).toBe(6);
    // One append larger than the whole budget is not kept (its subscribers read it from the log).
    recent.add('t', 0, 8, payloads('x'.repeat(100)));
    expect(recent.find('t', 0, 8)).toBeUndefined();
  });

  it('forgets what it kept of a partition when an append starts below it (the log made anew)', () => {
    const recent = new RecentFrames();
    recent.add('t', 0, 0, payloads('old0', 'old1', 'old2'));
    recent.add('t', 0, 0, payloads('new0'));
    expect(deliveries(recent.find('t', 0, 0)!, 0)).toEqual(['t new0']);
    expect(recent.find('t', 0, 2)).toBeUndefined();
    expect(recent.size).toBe(4 + 2 + 4);
  });

  it('forgets a topic nobody follows', () => {
    const recent = new RecentFrames();
    recent.add('t', 0, 0, payloads('a'));
    recent.add('t', 1, 0, payloads('b'));
    recent.forget('t', 2);
    expect(recent.find('t', 0, 0)).toBeUndefined();
    expect(recent.find('t', 1, 0)).toBeUndefined();
    expect(recent.size).toBe(0);
  });
});
