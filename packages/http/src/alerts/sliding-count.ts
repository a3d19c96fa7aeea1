/** How finely the matches older than the last `threshold` are counted: the window in this many buckets. */
const OVERFLOW_BUCKETS = 64;

/**
 * The matches of one rule within a sliding window of server time, in memory bounded by the threshold: a ring of
 * the last `threshold` matches (time and event id) decides exactly when the count reaches the threshold and when
 * it falls below it again (the oldest of them leaves the window), and carries the first and last event ids. The
 * matches pushed out of the ring while still in the window are only counted, in at most 65 buckets of 1/64 of
 * the window, so a count above the threshold may include the expired part of one bucket at the window's edge.
 * Times must not go backwards; the caller clamps them (server clocks can step back).
 */
export class SlidingCount {
  private readonly times: Float64Array;
  private readonly ids: string[];
  /** Index of the oldest entry of the ring, and how many it holds. */
  private head = 0;
  private size = 0;
  private readonly bucketMs: number;
  /** Overflow buckets, oldest first: bucket key, newest time in it, count. */
  private readonly overflow: { key: number; newest: number; count: number }[] = [];
  private overflowCount = 0;

  constructor(
    readonly threshold: number,
    readonly windowMs: number,
  ) {
    this.times = new Float64Array(threshold);
    this.ids = new Array<string>(threshold);
    this.bucketMs = Math.max(1, Math.ceil(windowMs / OVERFLOW_BUCKETS));
  }

  /** Records a match received at `at` (ms). */
  add(at: number, id: string): void {
    const capacity = this.threshold;
    if (this.size === capacity) {
      // The oldest of the ring moves to the overflow buckets (or is forgotten when already out of the window).
      const oldest = this.times[this.head]!;
      if (oldest > at - this.windowMs) this.pushOverflow(oldest);
      this.times[this.head] = at;
      this.ids[this.head] = id;
      this.head = (this.head + 1) % capacity;
    } else {
      const slot = (this.head + this.size) % capacity;
      this.times[slot] = at;
      this.ids[slot] = id;
      this.size++;
    }
  }

  /** Matches in the window ending at `now`: received after `now - window`. */
  count(now: number): number {
    this.expire(now);
    return this.size + this.overflowCount;
  }

  /** When the count will fall below the threshold without new matches (the oldest of the ring leaves), or null. */
  belowThresholdAt(): number | null {
    return this.size === this.threshold ? this.times[this.head]! + this.windowMs : null;
  }

  /** The oldest and newest matches the ring holds (the `threshold` newest), after expire(). */
  oldest(): { at: number; id: string } | null {
    return this.size === 0 ? null : { at: this.times[this.head]!, id: this.ids[this.head]! };
  }

  newest(): { at: number; id: string } | null {
    if (this.size === 0) return null;
    const slot = (this.head + this.size - 1) % this.threshold;
    return { at: this.times[slot]!, id: this.ids[slot]! };
  }

  private expire(now: number): void {
    const edge = now - this.windowMs;
    while (this.size > 0 && this.times[this.head]! <= edge) {
      this.ids[this.head] = '';
      this.head = (this.head + 1) % this.threshold;
      this.size--;
    }
    while (this.overflow.length > 0 && this.overflow[0]!.newest <= edge) {
      this.overflowCount -= this.overflow.shift()!.count;
    }
  }

  private pushOverflow(at: number): void {
    const key = Math.floor(at / this.bucketMs);
    const last = this.overflow[this.overflow.length - 1];
    if (last !== undefined && last.key === key) {
      last.newest = at;
      last.count++;
    } else this.overflow.push({ key, newest: at, count: 1 });
    this.overflowCount++;
  }
}
