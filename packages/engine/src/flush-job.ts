import { compareSlices } from './key-compare.js';
import { MemtableCursor, type Memtable, type MemNode } from './memtable.js';
import { SegmentBuilder, writeSegmentFile } from './segment-writer.js';

/**
 * A memtable flush as plain data, so a worker thread can build and write the segment while the event loop
 * goes on taking writes (LevelDB flushes on its background thread too). The entries are not copied one by
 * one: the memtable's keys and values already live in a few buffers (the batches' log records), which are
 * sent whole, with an index of where each entry's key and value sit in them, in key order.
 */
export interface FlushJob {
  path: string;
  blockSize: number;
  bloomBitsPerKey: number;
  /** The distinct buffers that hold the entries (cloned when posted to the thread). */
  buffers: ArrayBuffer[];
  /** Per entry, six ints: key buffer, key offset, key length, value buffer (−1: tombstone), value offset, value length. */
  index: Int32Array;
}

/**
 * The newest version of every key (tombstones included) of `tables`, given oldest first, in key order: one
 * segment for several frozen memtables (as RocksDB's min_write_buffer_number_to_merge), so memtables that
 * waited together cost one file, one fdatasync and one manifest edit instead of one each.
 */
export function flushJobOf(tables: readonly Memtable[], path: string, blockSize: number, bloomBitsPerKey: number): FlushJob {
  const buffers: ArrayBuffer[] = [];
  const slot = new Map<ArrayBufferLike, number>();
  const slotOf = (b: Buffer): number => {
    let i = slot.get(b.buffer);
    if (i === undefined) {
      i = buffers.length;
      buffers.push(b.buffer as ArrayBuffer);
      slot.set(b.buffer, i);
    }
    return i;
  };
  let entries = 0;
  for (const t of tables) entries += t.entries;
  const index = new Int32Array(6 * entries);
  let n = 0;
  // Newest first, so that on equal keys the first cursor holding the key wins.
  const cursors = tables.map((t) => new MemtableCursor(t, Number.MAX_SAFE_INTEGER, false)).reverse();
  for (const c of cursors) c.seek(null, true);
  for (;;) {
    let best: MemNode | null = null;
    for (const c of cursors) {
      const node = c.node;
      if (node !== null && (best === null || compareSlices(node.kbuf, node.koff, node.klen, best.kbuf, best.koff, best.klen) < 0)) best = node;
    }
    if (best === null) break;
    index[n++] = slotOf(best.kbuf);
    index[n++] = best.kbuf.byteOffset + best.koff;
    index[n++] = best.klen;
    index[n++] = best.vbuf === null ? -1 : slotOf(best.vbuf);
    index[n++] = best.vbuf === null ? 0 : best.vbuf.byteOffset + best.voff;
    index[n++] = best.vlen;
    for (const c of cursors) if (c.node !== null && c.node.sameKey(best)) c.next();
  }
  return { path, blockSize, bloomBitsPerKey, buffers, index: index.subarray(0, n) };
}

/** Builds the segment a FlushJob describes and writes it durably. */
export async function runFlushJob(job: FlushJob): Promise<void> {
  const views = job.buffers.map((b) => Buffer.from(b));
  const builder = new SegmentBuilder(job.blockSize, job.bloomBitsPerKey);
  const ix = job.index;
  for (let i = 0; i < ix.length; i += 6) {
    const v = ix[i + 3]!;
    builder.addSlices(views[ix[i]!]!, ix[i + 1]!, ix[i + 2]!, v < 0 ? null : views[v]!, ix[i + 4]!, ix[i + 5]!);
  }
  await writeSegmentFile(job.path, builder.finish().chunks);
}
