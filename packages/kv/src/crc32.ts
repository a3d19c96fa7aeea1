/**
 * CRC-32 as zlib computes it (polynomial 0xEDB88320), the checksum of every journal and snapshot line.
 *
 * Short inputs are summed here in JavaScript: a point read checks a few dozen lines of ~100 bytes, and loading
 * `node:zlib` (which pulls in Node's streams) costs a fresh process 4–10 ms, more than the whole read. Long
 * inputs (a whole snapshot) use zlib's native crc32, loaded on first use; and once something that sums many
 * lines (a writer, a full read) has called `loadNativeCrc32`, everything does (2.5× faster per line).
 */
export function crc32(bytes: string | Uint8Array): number {
  if (typeof bytes === 'string') {
    // Even with zlib loaded, a short string (a server's journal line) is summed here: the native call costs
    // ~200 ns before its first byte, this loop ~2-4 ns a character.
    if (bytes.length <= (native ? JS_STRING_MAX : NATIVE_FROM)) {
      // An ASCII string is its own UTF-8: sum its characters without allocating (a compaction sums a million lines).
      const crc = crc32Ascii(bytes);
      if (crc !== -1) return crc;
    }
    return crc32(Buffer.from(bytes, 'utf8'));
  }
  if (native || bytes.length > NATIVE_FROM) return nativeCrc32()(bytes);
  return crc32Table(bytes, 0, bytes.length);
}

/**
 * The CRC-32 of `buf[start, end)`, for a writer that has loaded zlib's: a journal line up to a few hundred
 * bytes is summed here (eight bytes a step, 2.5× the byte loop; the native call's start-up costs ~180 ns), a
 * longer one natively.
 */
export function crc32Range(buf: Uint8Array, start: number, end: number): number {
  // A plain Uint8Array over the range: Buffer#subarray goes through Buffer's species constructor (~100 ns).
  if (end - start > JS_RANGE_MAX) return nativeCrc32()(new Uint8Array(buf.buffer, buf.byteOffset + start, end - start));
  return crc32Table(buf, start, end);
}

/**
 * The sum of `buf[start, end)` in JavaScript, eight bytes a step ("slicing-by-8": eight tables, so the eight
 * lookups of a step are independent rather than a chain of one per byte). Micro-benchmark: 55 bytes 140 -> 57
 * ns, 200 bytes 1280 -> 190 ns.
 */
function crc32Table(buf: Uint8Array, start: number, end: number): number {
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    crc ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    const hi = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
    crc =
      T7[crc & 0xff]! ^
      T6[(crc >>> 8) & 0xff]! ^
      T5[(crc >>> 16) & 0xff]! ^
      T4[crc >>> 24]! ^
      T3[hi & 0xff]! ^
      T2[(hi >>> 8) & 0xff]! ^
      T1[(hi >>> 16) & 0xff]! ^
      TABLE[hi >>> 24]!;
  }
  for (; i < end; i++) crc = TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * The CRC-32 of an ASCII string, or -1 at its first non-ASCII character. Kept small and int32-only (the state
 * starts at -1, not 0xffffffff) so that V8 optimises it: inside the general function above it ran ~4x slower.
 */
function crc32Ascii(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    crc = TABLE[(crc ^ c) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

/** Strings up to this length are summed in JavaScript even once zlib is loaded. */
const JS_STRING_MAX = 96;

/** Byte ranges up to this length are summed in JavaScript even once zlib is loaded (about where they break even). */
const JS_RANGE_MAX = 384;

/** Above this many bytes the native code wins even counting its load. */
const NATIVE_FROM = 4096;

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Tn[b]: the CRC state of byte b followed by n zero bytes (slicing-by-8's tables). */
const [T1, T2, T3, T4, T5, T6, T7] = (() => {
  const tables: Int32Array[] = [TABLE];
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1]!;
    const table = new Int32Array(256);
    for (let n = 0; n < 256; n++) table[n] = TABLE[prev[n]! & 0xff]! ^ (prev[n]! >>> 8);
    tables.push(table);
  }
  return tables.slice(1) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
})();

let native: ((data: string | Uint8Array) => number) | undefined;

/** Switches to zlib's native crc32 from now on (for work that sums many lines). */
export function loadNativeCrc32(): void {
  native ??= process.getBuiltinModule('node:zlib').crc32;
}

function nativeCrc32(): (data: string | Uint8Array) => number {
  loadNativeCrc32();
  return native!;
}
