import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, PlsProtocolError, encodeFrame } from './pls-frame.js';

interface Decoded {
  body: string;
  crc: number;
}

/** Feeds `bytes` in the given chunk sizes; returns the frames and whether the stream is still open. */
function decode(
  bytes: Buffer,
  sizes: number[],
  decoder = new FrameDecoder(1024),
): { frames: Decoded[]; open: boolean } {
  const frames: Decoded[] = [];
  let open = true;
  let pos = 0;
  let i = 0;
  while (pos < bytes.length && open) {
    const size = Math.max(1, sizes[i++ % sizes.length]!);
    open = decoder.push(bytes.subarray(pos, pos + size), (body, crc) =>
      frames.push({ body: body.toString('latin1'), crc }),
    );
    pos += size;
  }
  return { frames, open };
}

const pub = (topic: string, payload: string) => encodeFrame(`PUB ${topic} ${payload}`, crc32(Buffer.from(payload)));

describe('FrameDecoder', () => {
  const stream = Buffer.concat([
    encodeFrame('REG '),
    encodeFrame('CID 0f8c2b1e'),
    pub('orders', 'hello world'),
    encodeFrame('SUB orders'),
    pub('PUB', ''),
    encodeFrame('PNG'),
  ]);
  const expected: Decoded[] = [
    { body: 'REG ', crc: -1 },
    { body: 'CID 0f8c2b1e', crc: -1 },
    { body: 'PUB orders hello world', crc: crc32(Buffer.from('hello world')) },
    { body: 'SUB orders', crc: -1 },
    { body: 'PUB PUB ', crc: crc32(Buffer.alloc(0)) },
    { body: 'PNG', crc: -1 },
  ];

  it('reads the frames whole, and a PUB with its CRC trailer outside the length', () => {
    expect(decode(stream, [stream.length])).toEqual({ frames: expected, open: true });
  });

  it('reads the same frames byte by byte', () => {
    expect(decode(stream, [1])).toEqual({ frames: expected, open: true });
  });

  it('reads the same frames from any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (sizes) => {
        expect(decode(stream, sizes)).toEqual({ frames: expected, open: true });
      }),
    );
  });

  it('reads random frames from random chunkings', () => {
    const frameArb = fc.oneof(
      fc.tuple(fc.constantFrom('REG', 'PNG', 'SUB t', 'CID x'), fc.constant(false)),
      fc.tuple(fc.string({ maxLength: 300 }), fc.constant(true)),
    );
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }),
        (spec, sizes) => {
          const want: Decoded[] = spec.map(([text, isPub]) =>
            isPub ? { body: `PUB t ${text}`, crc: crc32(Buffer.from(text, 'latin1')) } : { body: text, crc: -1 },
          );
          const bytes = Buffer.concat(
            spec.map(([text, isPub]) =>
              isPub ? encodeFrame(`PUB t ${text}`, crc32(Buffer.from(text, 'latin1'))) : encodeFrame(text),
            ),
          );
          expect(decode(bytes, sizes).frames).toEqual(want);
        },
      ),
    );
  });

  it('stops at a zero length and reads nothing after it', () => {
    const bytes = Buffer.concat([encodeFrame('PNG'), Buffer.alloc(4), encodeFrame('REG')]);
    for (const size of [1, 3, bytes.length])
      expect(decode(bytes, [size])).toEqual({ frames: [{ body: 'PNG', crc: -1 }], open: false });
  });

  it('refuses a length over the limit as soon as its four bytes are in, before reading or holding the body', () => {
    for (const length of [1025, 0x7fffffff, 0xffffffff]) {
      const decoder = new FrameDecoder(1024);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(length);
      expect(decoder.push(header.subarray(0, 2), () => {})).toBe(true);
      expect(() => decoder.push(header.subarray(2), () => {})).toThrow(PlsProtocolError);
    }
    // The limit itself is allowed.
    expect(decode(encodeFrame(`SUB ${'x'.repeat(1020)}`), [7]).frames).toHaveLength(1);
  });

  it('holds only the bytes that arrived of an unfinished frame', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1024);
    decoder.push(Buffer.concat([header, Buffer.from('SUB ')]), () => {});
    expect(decoder.buffered).toBe(8);
  });

  it('reads deliveries without a CRC trailer on the client side, even for a topic named PUB', () => {
    const bytes = Buffer.concat([encodeFrame('PUB hello'), encodeFrame('t x')]);
    const got = decode(bytes, [1], new FrameDecoder(1024, false)).frames;
    expect(got).toEqual([
      { body: 'PUB hello', crc: -1 },
      { body: 't x', crc: -1 },
    ]);
  });
});

describe('encodeFrame', () => {
  it('writes the documented bytes (docs/formats/pls-protocol.md)', () => {
    expect(encodeFrame('SUB orders').toString('hex')).toBe('0000000a535542206f7264657273');
    expect(pub('orders', 'hi').toString('hex')).toBe('0000000d505542206f7264657273206869d8932aac');
  });
});
