import type { LogEvent } from './log-event.js';

/**
 * The newest events, decoded, in a ring indexed by offset: `GET /logs/recent` and queries for recent events
 * (most of them) are answered without reading the topic, while memory stays bounded by the capacity.
 */
export class RecentEvents {
  private readonly ring: (LogEvent | undefined)[];
  /** The offset after the newest event put in. */
  private end = 0;
  /** The log start: events below it were deleted by retention. */
  private start = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  put(e: LogEvent): void {
    this.ring[e.offset % this.capacity] = e;
    if (e.offset >= this.end) this.end = e.offset + 1;
  }

  get(offset: number): LogEvent | undefined {
    if (offset >= this.end || offset < this.end - this.capacity || offset < this.start) return undefined;
    const e = this.ring[offset % this.capacity];
    return e !== undefined && e.offset === offset ? e : undefined;
  }

  /** Forgets the events below `offset` (retention deleted them). */
  dropBelow(offset: number): void {
    this.start = Math.max(this.start, offset);
  }

  /** Up to `n` newest events, newest first. */
  newest(n: number): LogEvent[] {
    const out: LogEvent[] = [];
    for (let o = this.end - 1; o >= 0 && o >= this.end - this.capacity && out.length < n; o--) {
      const e = this.get(o);
      if (e !== undefined) out.push(e);
    }
    return out;
  }
}
