/**
 * The memtable: recent writes and tombstones in a skiplist ordered by (key ascending, sequence descending),
 * as LevelDB's db/skiplist.h. Versions are never overwritten, so an iterator that remembers a sequence
 * number keeps seeing the table as it was when it started while writers go on inserting.
 */

import { compareSlice, compareSlices } from './key-compare.js';

const MAX_HEIGHT = 12;
/** Fixed cost charged per entry besides its bytes, so a table of tiny keys still fills up. */
const ENTRY_OVERHEAD = 48;

export class MemNode {
  constructor(
    /** The key is kbuf[koff, koff + klen): usually a slice of the batch's log record, kept without a view. */
    readonly kbuf: Buffer,
    readonly koff: number,
    readonly klen: number,
    readonly seq: number,
    /** Where the value lives (usually the batch's log record); null is a tombstone. */
    readonly vbuf: Buffer | null,
    readonly voff: number,
    readonly vlen: number,
    readonly next: (MemNode | null)[],
  ) {}

  /**
   * Views are made on demand: a write keeps offsets into its record instead of a Buffer per key and value,
   * since most nodes are only ever compared in place and copied once, by the flush.
   */
  get key(): Buffer {
    return this.koff === 0 && this.klen === this.kbuf.length
      ? this.kbuf
      : this.kbuf.subarray(this.koff, this.koff + this.klen);
  }

  get value(): Buffer | null {
    return this.vbuf === null ? null : this.vbuf.subarray(this.voff, this.voff + this.vlen);
  }

  /** Sign of (this key − key), compared in place. */
  compare(key: Uint8Array): number {
    return compareSlice(this.kbuf, this.koff, this.klen, key);
  }

  keyEquals(key: Uint8Array): boolean {
    return this.klen === key.length && this.compare(key) === 0;
  }

  sameKey(other: MemNode): boolean {
    return (
      this.klen === other.klen &&
      compareSlices(this.kbuf, this.koff, this.klen, other.kbuf, other.koff, other.klen) === 0
    );
  }
}

export class Memtable {
  private readonly head = new MemNode(
    Buffer.alloc(0),
    0,
    0,
    Number.MAX_SAFE_INTEGER,
    null,
    0,
    0,
    new Array<MemNode | null>(MAX_HEIGHT).fill(null),
  );
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
    this.insertAt(key, 0, key.length, seq, value, 0, value === null ? 0 : value.length);
  }

  /** Inserts a version whose key is kbuf[koff, koff + klen) and value vbuf[voff, voff + vlen) (vbuf null: a tombstone). */
  insertAt(
    kbuf: Buffer,
    koff: number,
    klen: number,
    seq: number,
    vbuf: Buffer | null,
    voff: number,
    vlen: number,
  ): void {
    const last = this.tail[0]!;
    if (last !== this.head && compareSlices(last.kbuf, last.koff, last.klen, kbuf, koff, klen) < 0) {
      for (let level = 0; level < this.height; level++) this.prev[level] = this.tail[level]!;
    } else this.descend(kbuf, koff, klen, seq, this.prev);
    const h = randomHeight();
    if (h > this.height) {
      for (let level = this.height; level < h; level++) this.prev[level] = this.head;
      this.height = h;
    }
    const node = new MemNode(kbuf, koff, klen, seq, vbuf, voff, vlen, new Array<MemNode | null>(h));
    for (let level = 0; level < h; level++) {
      const p = this.prev[level]!;
      node.next[level] = p.next[level] ?? null;
      p.next[level] = node;
      if (node.next[level] === null) this.tail[level] = node;
    }
    this.bytes += klen + (vbuf === null ? 0 : vlen) + ENTRY_OVERHEAD;
    this.entries++;
  }

  /** The newest version of `key` visible at `snapshot`: its node (value null = deleted) or undefined. */
  get(key: Buffer, snapshot = Number.MAX_SAFE_INTEGER): MemNode | undefined {
    const n = this.seekVersion(key, snapshot);
    return n?.keyEquals(key) ? n : undefined;
  }

  /** First node at or after (key, snapshot) in skiplist order. */
  seekVersion(key: Buffer, snapshot: number): MemNode | null {
    return this.descend(key, 0, key.length, snapshot, null).next[0] ?? null;
  }

  /** The last node before (key, seq) in skiplist order, key being kbuf[koff, koff + klen); records the predecessor at each level in `prev`. */
  private descend(kbuf: Buffer, koff: number, klen: number, seq: number, prev: MemNode[] | null): MemNode {
    let x = this.head;
    for (let level = this.height - 1; level >= 0; level--) {
      for (;;) {
        const n = x.next[level];
        if (n === null || n === undefined) break;
        const c = compareSlices(n.kbuf, n.koff, n.klen, kbuf, koff, klen);
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
          const c = n.compare(key);
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

  /** The node last in skiplist order (the largest key's oldest version); null if empty. */
  last(): MemNode | null {
    const t = this.tail[0]!;
    return t === this.head ? null : t;
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
      if (start !== null && !inclusive) while (n?.keyEquals(start)) n = n.next[0] ?? null;
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
      while (n?.sameKey(cur)) n = n.next[0] ?? null;
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
      if (v?.sameKey(n)) return v;
      n = this.table.seekLast(n.key, false);
    }
    return null;
  }
}
