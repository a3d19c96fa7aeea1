/**
 * The key layout of the events in Redis (docs/formats/redis-http.md). The events are split over partitions;
 * every key of one partition carries the same hash tag, `{PREFIX:P}`, so one Lua script appends an event to all
 * of that partition's streams at once, and a cluster spreads the partitions over its masters.
 */
export class EventKeys {
  constructor(readonly prefix: string) {}

  /** The partition count the first instance chose; later ones read it, so all agree. */
  get partitions(): string {
    return `${this.prefix}:partitions`;
  }

  private tag(partition: number): string {
    return `{${this.prefix}:${partition}}`;
  }

  /** Every event of the partition, in order. */
  all(partition: number): string {
    return `${this.tag(partition)}:all`;
  }

  /** The partition's events of one level (a copy of each, under the same stream ID). */
  level(partition: number, level: string): string {
    return `${this.tag(partition)}:level:${level}`;
  }

  service(partition: number, service: string): string {
    return `${this.tag(partition)}:service:${service}`;
  }

  /** The sets of the level and service names seen in the partition (for /stats). */
  levels(partition: number): string {
    return `${this.tag(partition)}:levels`;
  }

  services(partition: number): string {
    return `${this.tag(partition)}:services`;
  }

  /** The last stream ID given out in the partition (`ms-seq`). */
  clock(partition: number): string {
    return `${this.tag(partition)}:clock`;
  }
}

/** Sequence numbers per millisecond in an offset: offset = ms × 2048 + seq, a safe integer until the year 2109. */
const SEQ_SPACE = 2048;

/**
 * An event's offset (its place in the whole log, the cursor of queries, the SSE id) from its stream ID. Partition
 * p gives out only sequence numbers ≡ p (mod partitions), so offsets are unique across partitions and instances.
 */
export function offsetOfId(id: string): number {
  const dash = id.indexOf('-');
  return Number(id.slice(0, dash)) * SEQ_SPACE + Number(id.slice(dash + 1));
}

export function idOfOffset(offset: number): string {
  return `${Math.floor(offset / SEQ_SPACE)}-${offset % SEQ_SPACE}`;
}

export const SEQUENCE_SPACE = SEQ_SPACE;
