import { compareIds, formatId, type StreamId } from './stream-id.js';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const INVALID_ENTRIES_READ = -1;

/** A delivered, not yet acknowledged entry (Redis's streamNACK). */
export interface PendingEntry {
  readonly id: StreamId;
  readonly key: string;
  consumer: Consumer;
  deliveryTime: number;
  deliveryCount: number;
}

export class Consumer {
  /** The consumer's entries, by formatted ID. */
  readonly pending = new Map<string, PendingEntry>();
  constructor(
    /** Binary-safe name: one char per byte (latin1). */
    readonly name: string,
    public seenTime: number,
  ) {}
}

/**
 * One consumer group: the last delivered ID, the entries-read counter, the pending entries list (PEL, kept sorted
 * by ID: Redis's rax) and the consumers. Pure state: the stream family applies the commands' rules and
 * persists what changed.
 */
export class ConsumerGroup {
  readonly consumers = new Map<string, Consumer>();
  private readonly byKey = new Map<string, PendingEntry>();
  /** Sorted by ID; deliveries of `>` append at the end, so a splice is rare. */
  private readonly sorted: PendingEntry[] = [];

  constructor(
    readonly name: string,
    public lastId: StreamId,
    public entriesRead: number,
  ) {}

  /**
   * The consumer `name`, created when missing (streamLookupConsumer, then streamCreateConsumer), its seen-time set
   * to `now`. `onCreate` hears of a consumer just made, so the caller persists it.
   */
  touchConsumer(name: string, now: number, onCreate: (consumer: Consumer) => void): Consumer {
    let consumer = this.consumers.get(name);
    if (consumer === undefined) {
      consumer = new Consumer(name, now);
      this.consumers.set(name, consumer);
      onCreate(consumer);
    }
    consumer.seenTime = now;
    return consumer;
  }

  get pendingCount(): number {
    return this.sorted.length;
  }

  pending(key: string): PendingEntry | undefined {
    return this.byKey.get(key);
  }

  /** Adds or reassigns the entry (a delivery by `>` or a claim). */
  setPending(id: StreamId, consumer: Consumer, deliveryTime: number, deliveryCount: number): PendingEntry {
    const key = formatId(id);
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      if (existing.consumer !== consumer) {
        existing.consumer.pending.delete(key);
        consumer.pending.set(key, existing);
        existing.consumer = consumer;
      }
      existing.deliveryTime = deliveryTime;
      existing.deliveryCount = deliveryCount;
      return existing;
    }
    const entry: PendingEntry = { id, key, consumer, deliveryTime, deliveryCount };
    this.byKey.set(key, entry);
    consumer.pending.set(key, entry);
    const last = this.sorted[this.sorted.length - 1];
    if (last === undefined || compareIds(last.id, id) < 0) this.sorted.push(entry);
    else this.sorted.splice(this.lowerBound(id), 0, entry);
    return entry;
  }

  /** Removes an entry from the PEL (XACK, or a claim of an entry that no longer exists); false if absent. */
  removePending(key: string): boolean {
    const entry = this.byKey.get(key);
    if (entry === undefined) return false;
    this.byKey.delete(key);
    entry.consumer.pending.delete(key);
    this.sorted.splice(this.lowerBound(entry.id), 1);
    return true;
  }

  /** PEL entries with IDs at least `from`, in ID order. */
  *pendingFrom(from: StreamId): Generator<PendingEntry> {
    for (let i = this.lowerBound(from); i < this.sorted.length; i++) {
      const entry = this.sorted[i]!;
      if (this.byKey.get(entry.key) !== entry) continue;
      yield entry;
    }
  }

  firstPending(): PendingEntry | undefined {
    return this.sorted[0];
  }

  lastPending(): PendingEntry | undefined {
    return this.sorted[this.sorted.length - 1];
  }

  /** A consumer's entries from `from` on, in ID order. */
  consumerPendingFrom(consumer: Consumer, from: StreamId): PendingEntry[] {
    const out = [...consumer.pending.values()].filter((e) => compareIds(e.id, from) >= 0);
    return out.sort((a, b) => compareIds(a.id, b.id));
  }

  /** Deletes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return 0;
    const count = consumer.pending.size;
    for (const key of [...consumer.pending.keys()]) this.removePending(key);
    this.consumers.delete(name);
    return count;
  }

  /** Consumers in Redis's order (its rax sorts the names' bytes). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.sorted[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
