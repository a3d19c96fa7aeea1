import type { TopicStore } from '@esc/streams';
import type { ConsumerGroup } from './consumer-group.js';
import { decodeFields, type Fields } from './entry-codec.js';
import { compareIds, isZeroId, MIN_ID, type StreamId } from './stream-id.js';

/** Redis's stream-node-max-entries: a node (listpack) holds this many entries, deleted ones included. */
const NODE_MAX_ENTRIES = 100;

/** A Redis stream node as far as trimming with `~` and XINFO see it: a run of offsets and its live count. */
interface StreamNode {
  first: number;
  end: number;
  live: number;
}

export interface TrimArgs {
  strategy: 'maxlen' | 'minid';
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  /** 0: no limit. */
  limit: number;
}

/** Fields of entries appended at offsets `first`, `first + 1`, … and not written yet. */
export interface UnwrittenRun {
  readonly first: number;
  readonly fields: Fields[];
}

/**
 * One stream as the server holds it: the topic's entries by offset with their IDs (two 64-bit words per entry,
 * never the fields: those stay in the log and are read back on demand), the logical log start (XTRIM moves it,
 * as Kafka's DeleteRecords moves the log start offset), the set of XDEL'd offsets above it, the consumer groups,
 * and the fields of entries appended but not yet written.
 */
export class StreamLog {
  /** Offset of ids[0]. */
  private base = 0;
  /** Offsets [base, next) have IDs. */
  next = 0;
  private ms = new BigUint64Array(16);
  private seq = new BigUint64Array(16);
  /** Offsets below this are trimmed. */
  start = 0;
  readonly deleted = new Set<number>();
  length = 0;
  lastId: StreamId = MIN_ID;
  maxDeletedId: StreamId = MIN_ID;
  readonly groups = new Map<string, ConsumerGroup>();
  /**
   * Entries whose append has not resolved yet, one run of consecutive offsets per append (a read right after an
   * XADD is served from here): no map entry to add and remove per XADD.
   */
  readonly unwritten: UnwrittenRun[] = [];
  private nodes: StreamNode[] = [];
  /** No live entry lies below this offset (a hint for firstLive: a stream read and XDEL'd from the front). */
  private firstLiveFrom = 0;
  /** XDEL marks that a trim made moot: their persisted facts are to be tombstoned. */
  readonly forgottenDeletes: number[] = [];

  constructor(
    readonly key: Buffer,
    readonly topic: string,
  ) {}

  get entriesAdded(): number {
    return this.next;
  }

  /** Starts an empty index at `offset` (the first offset that will be read or written). */
  skipTo(offset: number): void {
    this.base = offset;
    this.next = offset;
    this.start = offset;
  }

  /** Adds an entry's ID at the next offset (loading, or XADD before its write); returns the offset. */
  push(id: StreamId, live = true): number {
    const offset = this.next;
    const i = offset - this.base;
    if (i >= this.ms.length) this.grow();
    this.ms[i] = id.ms;
    this.seq[i] = id.seq;
    this.next++;
    this.lastId = id;
    const tail = this.nodes[this.nodes.length - 1];
    if (tail !== undefined && tail.end === offset && tail.end - tail.first < NODE_MAX_ENTRIES) tail.end++;
    else this.nodes.push({ first: offset, end: offset + 1, live: 0 });
    if (live) {
      this.length++;
      this.nodes[this.nodes.length - 1]!.live++;
    } else this.deleted.add(offset);
    return offset;
  }

  idAt(offset: number): StreamId {
    const i = offset - this.base;
    return { ms: this.ms[i]!, seq: this.seq[i]! };
  }

  isLive(offset: number): boolean {
    return offset >= this.start && offset < this.next && !this.deleted.has(offset);
  }

  /** The first offset at or after `start` whose ID is at least `id` (next if none). */
  lowerBound(id: StreamId): number {
    let lo = this.start;
    let hi = this.next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (compareIds(this.idAt(mid), id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The offset holding exactly `id` (live or not), or -1. */
  offsetOf(id: StreamId): number {
    const o = this.lowerBound(id);
    return o < this.next && compareIds(this.idAt(o), id) === 0 ? o : -1;
  }

  /** Live offsets with IDs in [from, to], ascending (or descending with `reverse`), at most `count` (0: all). */
  rangeOffsets(from: StreamId, to: StreamId, count: number, reverse: boolean): number[] {
    const out: number[] = [];
    if (compareIds(from, to) > 0) return out;
    if (!reverse) {
      for (let o = this.lowerBound(from); o < this.next; o++) {
        if (compareIds(this.idAt(o), to) > 0) break;
        if (this.deleted.has(o)) continue;
        out.push(o);
        if (count > 0 && out.length >= count) break;
      }
    } else {
      const end = this.lowerBound(incrementOrMax(to));
      for (let o = end - 1; o >= this.start; o--) {
        if (compareIds(this.idAt(o), from) < 0) break;
        if (this.deleted.has(o)) continue;
        out.push(o);
        if (count > 0 && out.length >= count) break;
      }
    }
    return out;
  }

  /** Redis's first_id: the first live entry's ID, 0-0 when empty. */
  firstId(): StreamId {
    const o = this.firstLive();
    return o < 0 ? MIN_ID : this.idAt(o);
  }

  /** streamRangeHasTombstones(s, from, +): could an XDEL'd entry lie at or after `from`? */
  hasTombstonesFrom(from: StreamId): boolean {
    if (this.length === 0 || isZeroId(this.maxDeletedId)) return false;
    if (compareIds(this.firstId(), this.maxDeletedId) > 0) return false;
    return compareIds(from, this.maxDeletedId) <= 0;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the entries-read counter that `id` stands for, or -1 (unknown). */
  estimateEntriesRead(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return -1;
    const first = this.firstId();
    const cmpFirst = compareIds(id, first);
    if (isZeroId(this.maxDeletedId) || compareIds(this.maxDeletedId, first) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - this.length;
      if (cmpFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return -1;
  }

  /** streamCGLag: entries not yet read by a group, or null when that cannot be known. */
  lag(group: { lastId: StreamId; entriesRead: number }): number | null {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== -1 && !this.hasTombstonesFrom(group.lastId)) return this.entriesAdded - group.entriesRead;
    const read = this.estimateEntriesRead(group.lastId);
    return read === -1 ? null : this.entriesAdded - read;
  }

  /** The first live offset, or -1. Offsets below a dead one never come back to life, so the scan resumes there. */
  firstLive(): number {
    let o = Math.max(this.start, this.firstLiveFrom);
    while (o < this.next && this.deleted.has(o)) o++;
    this.firstLiveFrom = o;
    return o < this.next ? o : -1;
  }

  lastLive(): number {
    for (let o = this.next - 1; o >= this.start; o--) if (!this.deleted.has(o)) return o;
    return -1;
  }

  /** XDEL of one offset: false if it is not live. Drops the node when its last live entry goes, as Redis does. */
  deleteOffset(offset: number): boolean {
    if (!this.isLive(offset)) return false;
    this.deleted.add(offset);
    this.length--;
    const n = this.nodeIndex(offset);
    if (n >= 0 && --this.nodes[n]!.live === 0) this.nodes.splice(n, 1);
    return true;
  }

  /**
   * streamTrim: whole nodes from the oldest while the rule allows (and within LIMIT), then, unless approximate,
   * entries of the next node one by one. Returns the number of entries removed; the log start moves past them.
   */
  trim(args: TrimArgs): number {
    let removed = 0;
    while (this.nodes.length > 0) {
      if (args.strategy === 'maxlen' && this.length <= args.maxlen) break;
      const node = this.nodes[0]!;
      if (args.limit > 0 && removed + node.live > args.limit) break;
      const removeNode =
        args.strategy === 'maxlen'
          ? this.length - node.live >= args.maxlen
          : compareIds(this.idAt(node.end - 1), args.minid) < 0;
      if (removeNode) {
        this.length -= node.live;
        removed += node.live;
        this.nodes.shift();
        this.moveStart(node.end);
        continue;
      }
      if (args.approx) break;
      for (let o = Math.max(node.first, this.start); o < node.end; o++) {
        const stop =
          args.strategy === 'maxlen' ? this.length <= args.maxlen : compareIds(this.idAt(o), args.minid) >= 0;
        if (stop) break;
        if (!this.deleted.has(o)) {
          this.length--;
          node.live--;
          removed++;
        }
        this.moveStart(o + 1);
      }
      break;
    }
    return removed;
  }

  /** Redis's radix-tree-keys: the number of nodes. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * Redis's radix-tree-nodes: the nodes of a rax holding each node's first ID as a 16-byte big-endian key
   * (a compressed trie: a chain of bytes with one child is one node, a branch is one node, a key ends in a leaf).
   */
  radixTreeNodes(): number {
    const keys = this.nodes.map((n) => {
      const b = Buffer.alloc(16);
      const id = this.idAt(n.first);
      b.writeBigUInt64BE(id.ms, 0);
      b.writeBigUInt64BE(id.seq, 8);
      return b;
    });
    if (keys.length === 0) return 1;
    return countRaxNodes(keys, 0, keys.length, 0);
  }

  /** Moves the log start to `offset`, forgetting XDEL marks below it and, now and then, the IDs below it. */
  moveStart(offset: number): void {
    if (offset <= this.start) return;
    for (const d of this.deleted)
      if (d < offset) {
        this.deleted.delete(d);
        this.forgottenDeletes.push(d);
      }
    this.start = offset;
    const keepFrom = Math.min(this.start, this.nodes[0]?.first ?? this.start);
    const drop = keepFrom - this.base;
    if (drop > 1024 && drop * 2 > this.next - this.base) {
      this.ms.copyWithin(0, drop, this.next - this.base);
      this.seq.copyWithin(0, drop, this.next - this.base);
      this.base = keepFrom;
    }
  }

  /** Rebuilds the node list after loading: runs of NODE_MAX_ENTRIES offsets, as Redis would have filled them. */
  resetNodes(): void {
    this.nodes = [];
    for (let first = this.start; first < this.next; ) {
      const end = Math.min(this.next, (Math.floor(first / NODE_MAX_ENTRIES) + 1) * NODE_MAX_ENTRIES);
      let live = 0;
      for (let o = first; o < end; o++) if (!this.deleted.has(o)) live++;
      if (live > 0) this.nodes.push({ first, end, live });
      first = end;
    }
  }

  /**
   * The fields of these offsets (ascending), from the unwritten entries or the topic; null for an offset whose
   * record is gone.
   */
  readFields(store: TopicStore, offsets: readonly number[]): (Fields | null)[] {
    const out: (Fields | null)[] = new Array(offsets.length).fill(null);
    let firstOnDisk = -1;
    for (let i = 0; i < offsets.length; i++) {
      const f = this.unwrittenFields(offsets[i]!);
      if (f !== undefined) out[i] = f;
      else if (firstOnDisk < 0) firstOnDisk = i;
    }
    if (firstOnDisk < 0) return out;
    const bounds = store.bounds(this.topic, 0);
    const from = Math.max(offsets[firstOnDisk]!, bounds.earliest);
    if (from >= bounds.next) return out;
    const reader = store.reader(this.topic, 0, from);
    try {
      let i = firstOnDisk;
      outer: for (let batch = reader.poll(); batch.length > 0; batch = reader.poll()) {
        for (const record of batch) {
          while (i < offsets.length && (offsets[i]! < record.offset || out[i] !== null)) i++;
          if (i >= offsets.length) break outer;
          if (offsets[i] === record.offset) out[i++] = decodeFields(record);
        }
      }
    } finally {
      reader.close();
    }
    return out;
  }

  private unwrittenFields(offset: number): Fields | undefined {
    for (const run of this.unwritten) {
      const i = offset - run.first;
      if (i >= 0 && i < run.fields.length) return run.fields[i];
    }
    return undefined;
  }

  /** The fields of these offsets (any order) by offset; null for an offset whose record is gone. */
  fieldsByOffset(store: TopicStore, offsets: readonly number[]): Map<number, Fields | null> {
    const ascending = [...new Set(offsets)].sort((a, b) => a - b);
    const fields = this.readFields(store, ascending);
    const out = new Map<number, Fields | null>();
    for (let i = 0; i < ascending.length; i++) out.set(ascending[i]!, fields[i]!);
    return out;
  }

  private nodeIndex(offset: number): number {
    let lo = 0;
    let hi = this.nodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const n = this.nodes[mid]!;
      if (offset < n.first) hi = mid - 1;
      else if (offset >= n.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  private grow(): void {
    const used = this.next - this.base;
    const ms = new BigUint64Array(Math.max(16, used * 2));
    const seq = new BigUint64Array(ms.length);
    ms.set(this.ms.subarray(0, used));
    seq.set(this.seq.subarray(0, used));
    this.ms = ms;
    this.seq = seq;
  }
}

function incrementOrMax(id: StreamId): StreamId {
  if (id.seq < 2n ** 64n - 1n) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms < 2n ** 64n - 1n) return { ms: id.ms + 1n, seq: 0n };
  return { ms: id.ms, seq: id.seq + 1n };
}

function countRaxNodes(keys: Buffer[], lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth < 16 ? 2 : 1;
  let common = depth;
  while (common < 16 && keys[lo]![common] === keys[hi - 1]![common]) common++;
  let count = common > depth ? 1 : 0;
  count += 1; // the branch
  for (let i = lo; i < hi; ) {
    let j = i + 1;
    while (j < hi && keys[j]![common] === keys[i]![common]) j++;
    count += countRaxNodes(keys, i, j, common + 1);
    i = j;
  }
  return count;
}
