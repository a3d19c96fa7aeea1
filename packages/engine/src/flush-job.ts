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
export function flushJobOf(
  tables: readonly Memtable[],
  path: string,
  blockSize: number,
  bloomBitsPerKey: number,
): FlushJob {
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
  const add = (node: MemNode): void => {
    index[n++] = slotOf(node.kbuf);
    index[n++] = node.kbuf.byteOffset + node.koff;
    index[n++] = node.klen;
    index[n++] = node.vbuf === null ? -1 : slotOf(node.vbuf);
    index[n++] = node.vbuf === null ? 0 : node.vbuf.byteOffset + node.voff;
    index[n++] = node.vlen;
  };
  const nonEmpty = tables.filter((t) => t.entries > 0);
  const ranges = nonEmpty
    .map((t) => ({ t, first: t.first()!, last: t.last()! }))
    .sort((a, b) => compareNodes(a.first, b.first));
  if (ranges.every((r, i) => i === 0 || compareNodes(ranges[i - 1]!.last, r.first) < 0)) {
    // Key ranges that do not overlap (a sequential load): each table's walk, one after the other.
    for (const { t } of ranges) {
      const c = new MemtableCursor(t, Number.MAX_SAFE_INTEGER, false);
      for (c.seek(null, true); c.node !== null; c.next()) add(c.node);
    }
  } else {
    // Newest first, so that on equal keys the first cursor holding the key wins.
    const cursors = nonEmpty.map((t) => new MemtableCursor(t, Number.MAX_SAFE_INTEGER, false)).reverse();
    for (const c of cursors) c.seek(null, true);
    for (;;) {
      let best: MemNode | null = null;
      for (const c of cursors) if (c.node !== null && (best === null || compareNodes(c.node, best) < 0)) best = c.node;
      if (best === null) break;
      add(best);
      for (const c of cursors) if (c.node?.sameKey(best)) c.next();
    }
  }
  return { path, blockSize, bloomBitsPerKey, buffers, index: index.subarray(0, n) };
}

function compareNodes(a: MemNode, b: MemNode): number {
  return compareSlices(a.kbuf, a.koff, a.klen, b.kbuf, b.koff, b.klen);
}

/**
 * Builds the segment a FlushJob describes and writes it durably. In-process (`yieldEvery` > 0) it lets the
 * event loop run every so many entries, so a flush without its thread does not hold up reads and writes.
 */
export async function runFlushJob(job: FlushJob, yieldEvery = 0): Promise<void> {
  const views = job.buffers.map((b) => Buffer.from(b));
  const builder = new SegmentBuilder(job.blockSize, job.bloomBitsPerKey);
  const ix = job.index;
  for (let i = 0, n = 0; i < ix.length; i += 6) {
    const v = ix[i + 3]!;
    builder.addSlices(views[ix[i]!]!, ix[i + 1]!, ix[i + 2]!, v < 0 ? null : views[v]!, ix[i + 4]!, ix[i + 5]!);
    if (yieldEvery > 0 && ++n % yieldEvery === 0) await new Promise<void>((r) => setImmediate(r));
  }
  await writeSegmentFile(job.path, builder.finish().chunks);
}
