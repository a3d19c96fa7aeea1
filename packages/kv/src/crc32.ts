import { createRequire } from 'node:module';

/**
 * CRC-32 as zlib computes it (polynomial 0xEDB88320), the checksum of every journal and snapshot line.
 *
 * Short inputs are summed here in JavaScript: a point read checks a few dozen lines of ~100 bytes, and loading
 * `node:zlib` (which pulls in Node's streams) costs a fresh process 4–10 ms, more than the whole read. Long
 * inputs (a whole snapshot, a writer's batch) use zlib's native crc32, loaded on first use.
 */
export function crc32(bytes: string | Uint8Array): number {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (data.length > NATIVE_FROM) return nativeCrc32()(data);
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

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

let native: ((data: Uint8Array) => number) | undefined;

function nativeCrc32(): (data: Uint8Array) => number {
  native ??= (createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib')).crc32;
  return native;
}
