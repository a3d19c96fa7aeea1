/**
 * The memtable: recent writes and tombstones in a skiplist ordered by (key ascending, sequence descending),
 * as LevelDB's db/skiplist.h. Versions are never overwritten, so an iterator that remembers a sequence
 * number keeps seeing the table as it was when it started while writers go on inserting.
 */

import { compareKeys, keysEqual } from './key-compare.js';

const MAX_HEIGHT = 12;
/** Fixed cost charged per entry besides its bytes, so a table of tiny keys still fills up. */
export const ENTRY_OVERHEAD = 48;

export class MemNode {
  constructor(
    readonly key: Buffer,
    readonly seq: number,
    /** Where the value lives (usually the batch's log record); null is a tombstone. */
    private readonly vbuf: Buffer | null,
    private readonly voff: number,
    private readonly vlen: number,
    readonly next: (MemNode | null)[],
  ) {}

  /** Made on demand: most values are never read back from the memtable, so no view is kept per write. */
  get value(): Buffer | null {
    return this.vbuf === null ? null : this.vbuf.subarray(this.voff, this.voff + this.vlen);
  }
}

export class Memtable {
  private readonly head = new MemNode(Buffer.alloc(0), Number.MAX_SAFE_INTEGER, null, 0, 0, new Array<MemNode | null>(MAX_HEIGHT).fill(null));
  private height = 1;
  /** Scratch array for insert, reused so an insert allocates only its node. */
  private readonly prev: MemNode[] = new Array<MemNode>(MAX_HEIGHT);
  /** The last node of each level: a key above all others (a sequential load) is linked in with one compare. */
  private readonly tail: MemNode[] = new Array<MemNode>(MAX_HEIGHT).fill(this.head);
  bytes = 0;
  entries = 0;
  /** Number of the write-ahead log file that holds this table's writes. */
  constructor(readonly walNumber: number) {}

  insert(key: Buffer, seq: number, value: Buffer | null): void {
    this.insertAt(key, seq, value, 0, value === null ? 0 : value.length);
  }

  /** Inserts a version whose value is vbuf[voff, voff + vlen) (vbuf null: a tombstone). */
  insertAt(key: Buffer, seq: number, vbuf: Buffer | null, voff: number, vlen: number): void {
    const last = this.tail[0]!;
    if (last !== this.head && compareKeys(last.key, key) < 0) {
      for (let level = 0; level < this.height; level++) this.prev[level] = this.tail[level]!;
    } else this.descend(key, seq, this.prev);
    const h = randomHeight();
    if (h > this.height) {
      for (let level = this.height; level < h; level++) this.prev[level] = this.head;
      this.height = h;
    }
    const node = new MemNode(key, seq, vbuf, voff, vlen, new Array<MemNode | null>(h));
    for (let level = 0; level < h; level++) {
      const p = this.prev[level]!;
      node.next[level] = p.next[level] ?? null;
      p.next[level] = node;
      if (node.next[level] === null) this.tail[level] = node;
    }
    this.bytes += key.length + (vbuf === null ? 0 : vlen) + ENTRY_OVERHEAD;
    this.entries++;
  }

  /** The newest version of `key` visible at `snapshot`: its node (value null = deleted) or undefined. */
  get(key: Buffer, snapshot = Number.MAX_SAFE_INTEGER): MemNode | undefined {
    const n = this.seekVersion(key, snapshot);
    return n !== null && keysEqual(n.key, key) ? n : undefined;
  }

  /** First node at or after (key, snapshot) in skiplist order. */
  seekVersion(key: Buffer, snapshot: number): MemNode | null {
    return this.descend(key, snapshot, null).next[0] ?? null;
  }

  /** The last node before (key, seq) in skiplist order; records the predecessor at each level in `prev`. */
  private descend(key: Buffer, seq: number, prev: MemNode[] | null): MemNode {
    let x = this.head;
    for (let level = this.height - 1; level >= 0; level--) {
      for (;;) {
        const n = x.next[level];
        if (n === null || n === undefined) break;
        const c = compareKeys(n.key, key);
        // Same key: newer sequence numbers sort first.
        if (c < 0 || (c === 0 && n.seq > seq)) x = n;
        else break;
      }
      if (prev !== null) prev[level] = x;
    }
    return x;
  }

  /** Last node whose key is < `key` (or <= with orEqual), whatever its sequence; null if none. */
  seekLast(key: Buffer | null, orEqual: boolean): MemNode | null {
    let x = this.head;
    for (let level = this.height - 1; level >= 0; level--) {
      for (;;) {
        const n = x.next[level];
        if (n === null || n === undefined) break;
        if (key !== null) {
          const c = compareKeys(n.key, key);
          if (c > 0 || (c === 0 && !orEqual)) break;
        }
        x = n;
      }
    }
    return x === this.head ? null : x;
  }

  first(): MemNode | null {
    return this.head.next[0] ?? null;
  }
}

function randomHeight(): number {
  // Branching factor 4, as LevelDB: a quarter of the nodes reach each next level.
  let h = 1;
  while (h < MAX_HEIGHT && Math.random() < 0.25) h++;
  return h;
}

/**
 * Walks the newest visible version of each key of a memtable, forwards or backwards, as of `snapshot`.
 * Writes that arrive during the walk have larger sequence numbers and are skipped.
 */
export class MemtableCursor {
  node: MemNode | null = null;

  constructor(
    private readonly table: Memtable,
    private readonly snapshot: number,
    readonly reverse: boolean,
  ) {}

  get valid(): boolean {
    return this.node !== null;
  }
  get key(): Buffer {
    return this.node!.key;
  }
  get value(): Buffer | null {
    return this.node!.value;
  }

  /** Forward: first key >= start (> when exclusive). Reverse: last key <= start (< when exclusive). null: an end. */
  seek(start: Buffer | null, inclusive: boolean): void {
    if (!this.reverse) {
      let n = start === null ? this.table.first() : this.table.seekVersion(start, this.snapshot);
      if (start !== null && !inclusive) while (n !== null && keysEqual(n.key, start)) n = n.next[0] ?? null;
      this.node = this.settleForward(n);
    } else {
      this.node = this.settleBackward(this.table.seekLast(start, inclusive));
    }
  }

  next(): void {
    const cur = this.node;
    if (cur === null) return;
    if (!this.reverse) {
      let n = cur.next[0] ?? null;
      while (n !== null && keysEqual(n.key, cur.key)) n = n.next[0] ?? null;
      this.node = this.settleForward(n);
    } else {
      this.node = this.settleBackward(this.table.seekLast(cur.key, false));
    }
  }

  private settleForward(n: MemNode | null): MemNode | null {
    // Versions of one key run newest first; the first one at or below the snapshot is the visible one.
    while (n !== null && n.seq > this.snapshot) n = n.next[0] ?? null;
    return n;
  }

  private settleBackward(n: MemNode | null): MemNode | null {
    while (n !== null) {
      const v = this.table.seekVersion(n.key, this.snapshot);
      if (v !== null && keysEqual(v.key, n.key)) return v;
      n = this.table.seekLast(n.key, false);
    }
    return null;
  }
}
