import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesDiff } from '@esc/test-fixtures';
import { Utf8Replacer } from './utf8-replacer.js';

/** What the whole stream shows as, decoded at once: the reference a streaming replacer must equal. */
const shownAsWhole = (bytes: Uint8Array) => Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8');

function throughReplacer(pieces: Uint8Array[]): Buffer {
  const replacer = new Utf8Replacer();
  return Buffer.concat([...pieces.map((piece) => Buffer.from(replacer.push(piece))), Buffer.from(replacer.end())]);
}

// Bytes rich in UTF-8 lead and continuation bytes, so that cuts fall inside characters, valid or not.
const utf8ishBytes = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(0x0a, 0x41, 0x80, 0xa9, 0xbf, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xff),
  ),
  { maxLength: 200 },
);

describe('Utf8Replacer', () => {
  it('returns valid pieces unchanged (the same bytes, not a copy)', () => {
    const replacer = new Utf8Replacer();
    const piece = Buffer.from('héllo wörld ✓ 😀\n');
    expect(replacer.push(piece)).toBe(piece);
    expect(replacer.end().length).toBe(0);
  });

  it('replaces invalid sequences with U+FFFD', () => {
    const replacer = new Utf8Replacer();
    expect(Buffer.from(replacer.push(Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0x0a]))).toString()).toBe(
      'a\uFFFDb\uFFFD(\n',
    );
  });

  it('completes a character cut between pieces, and ends an unfinished one as U+FFFD', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    const replacer = new Utf8Replacer();
    const shown = [
      replacer.push(euro.subarray(0, 1)),
      replacer.push(euro.subarray(1, 2)),
      replacer.push(euro.subarray(2)),
    ];
    expect(Buffer.concat(shown.map((b) => Buffer.from(b))).toString()).toBe('€');
    expect(Buffer.from(replacer.push(euro.subarray(0, 2))).length).toBe(0);
    expect(Buffer.from(replacer.end()).toString()).toBe('\uFFFD');
  });

  it('does not keep a reference to a buffer the caller reuses', () => {
    const block = Buffer.from([0x41, 0xe2, 0x82]);
    const replacer = new Utf8Replacer();
    const first = Buffer.from(replacer.push(block));
    block.fill(0x20);
    expect(Buffer.concat([first, Buffer.from(replacer.push(Buffer.from([0xac])))]).toString()).toBe('A€');
  });

  it('shows any bytes cut anywhere exactly as the whole stream decoded at once', () => {
    fc.assert(
      fc.property(utf8ishBytes, fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const data = Uint8Array.from(bytes);
        const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const pieces: Uint8Array[] = [];
        let from = 0;
        for (const cut of [...at, data.length]) {
          pieces.push(data.subarray(from, cut));
          from = cut;
        }
        expect(bytesDiff(throughReplacer(pieces), shownAsWhole(data))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});
