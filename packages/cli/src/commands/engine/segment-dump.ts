import type { BufferedOutput } from '@esc/core';

export interface DumpEntry {
  key: Buffer;
  value: Buffer | null;
  seq?: number;
}

/**
 * Writes a segment's entries the way RocksDB's `sst_dump --command=scan` prints an SST file:
 * `'key' seq:N, type:1 => value` for a value, `type:0` for a deletion (a tombstone), after the
 * `from [] to []` / `Process FILE` header. `hex` mirrors sst_dump's `--output_hex`.
 */
export async function dumpSegment(
  file: string,
  entries: AsyncIterable<DumpEntry>,
  out: BufferedOutput,
  hex: boolean,
): Promise<number> {
  out.write(`from [] to []\nProcess ${file}\nSst file format: esc segment\n`);
  let n = 0;
  for await (const e of entries) {
    const key = hex ? `0x${e.key.toString('hex').toUpperCase()}` : e.key;
    out.write("'");
    out.write(key);
    out.write(`' seq:${e.seq ?? 0}, type:${e.value === null ? 0 : 1} => `);
    if (e.value !== null) out.write(hex ? `0x${e.value.toString('hex').toUpperCase()}` : e.value);
    out.write('\n');
    n++;
  }
  return n;
}
