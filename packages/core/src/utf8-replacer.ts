import { isUtf8 } from 'node:buffer';

const EMPTY = new Uint8Array(0);

/**
 * Turns a byte stream into valid UTF-8, each invalid sequence becoming U+FFFD (as `TextDecoder` and
 * `Buffer#toString` replace them), for text shown on a terminal. It is streaming: a character cut between two
 * pieces is held back and completed by the next piece, never replaced. Valid pieces, the common case, are
 * checked with the native `isUtf8` and returned as they are, without decoding.
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export class Utf8Replacer {
  /** The start of a character that the last piece did not finish (1–3 bytes), or null. */
  private held: Buffer | null = null;

  /** `data` as valid UTF-8; an unfinished character at its end waits for the next piece (or `end`). */
  push(data: Uint8Array): Uint8Array {
    let bytes = this.held === null ? data : Buffer.concat([this.held, data]);
    this.held = null;
    const cut = unfinishedUtf8Tail(bytes);
    if (cut > 0) {
      // A copy: the caller's buffer is reused for its next block.
      this.held = Buffer.from(bytes.subarray(bytes.length - cut));
      bytes = bytes.subarray(0, bytes.length - cut);
    }
    return isUtf8(bytes) ? bytes : replaceInvalid(bytes);
  }

  /** The held bytes of an unfinished character, which will not be finished now: U+FFFD. */
  end(): Uint8Array {
    const held = this.held;
    this.held = null;
    return held === null ? EMPTY : replaceInvalid(held);
  }
}

function replaceInvalid(bytes: Uint8Array): Buffer {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Buffer.from(view.toString('utf8'), 'utf8');
}

/**
 * Bytes at the end of `bytes` from the last lead byte on, when they are fewer than its sequence needs (0–3).
 * Cutting just before a lead byte never changes how the bytes before it decode (a lead byte always ends
 * whatever sequence came before), so holding them back and decoding them with what follows gives exactly
 * the decoding of the whole stream.
 */
export function unfinishedUtf8Tail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}
