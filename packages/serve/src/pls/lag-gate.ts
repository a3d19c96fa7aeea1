/** A subscriber of one topic, as the gate sees it. */
export interface LagFollower {
  /**
   * Bytes of delivery frames appended by this server and not yet handed to the subscriber's socket (the kernel).
   * A subscriber reading older records from the log (behind what is kept in memory) counts 0: history never
   * holds producers. Bytes, not records, so the bound stays within the frames kept in memory whatever the size
   * of the messages.
   */
  lag(): number;
}

export interface LagGateLimits {
  /** A subscriber lagging by more than this (bytes of frames) holds the topic's producers. */
  maxLag: number;
  /** …until its lag is down to this. */
  resumeLag: number;
  /**
   * The longest one subscriber holds its topic's producers in one go: one not back under `resumeLag` by then
   * (it does not read, or reads slower than they produce) is let go and reads on at its own pace.
   */
  maxHoldMs: number;
}

/**
 * Default: 4 MiB of frames (about 4000 messages of 1 KiB), on top of what the sockets' kernel buffers hold, well
 * within the 32 MiB of frames kept in memory; a subscriber that needs more than 2 s to catch up is let go (a
 * CPU-starved one that reads catches up 3 MiB in milliseconds).
 */
export const DEFAULT_LAG_LIMITS: LagGateLimits = { maxLag: 4 << 20, resumeLag: 1 << 20, maxHoldMs: 2000 };

/**
 * Flow control from subscribers to producers. When a subscriber at the end of a topic lags by more than
 * `maxLag` bytes of frames, the producers of that topic are not read (their PUBs wait in TCP, their barrier
 * replies come later, as Kafka's quotas delay a client's responses) until it is back under `resumeLag`: on a
 * server short of CPU, reading more PUBs would otherwise win over writing deliveries, and the subscribers fall
 * further behind the more the producers send. A subscriber must not set its producers' pace for long, as Kafka's
 * slow consumer only falls behind: one that is not back under `resumeLag` within `maxHoldMs` of the hold's start
 * (it does not read, or reads slower than they produce) is let go, and holds again only once it has caught up
 * to `resumeLag`.
 */
export class LagGate {
  private readonly followers = new Map<string, Set<LagFollower>>();
  /** Per topic, the followers over the bound and when each began holding (performance.now()). */
  private readonly holding = new Map<string, Map<LagFollower, number>>();
  private readonly leftBehind = new Set<LagFollower>();
  private sweep: NodeJS.Timeout | null = null;
  /** Times a topic's producers were held, and subscribers let go for not reading. */
  holds = 0;
  released = 0;

  constructor(
    private readonly limits: LagGateLimits,
    /** A topic was held or freed: the server pauses or resumes the connections publishing to it. */
    private readonly changed: () => void,
    /** A subscriber was let go (for the log). */
    private readonly letGo: (topic: string) => void = () => {},
  ) {}

  follow(topic: string, f: LagFollower): void {
    let set = this.followers.get(topic);
    if (set === undefined) this.followers.set(topic, (set = new Set()));
    set.add(f);
  }

  unfollow(topic: string, f: LagFollower): void {
    const set = this.followers.get(topic);
    if (set?.delete(f) && set.size === 0) this.followers.delete(topic);
    this.leftBehind.delete(f);
    this.free(topic, f);
  }

  /** Records were appended to the topic: its followers' lags grew. */
  appended(topic: string): void {
    const set = this.followers.get(topic);
    if (set !== undefined) for (const f of set) this.judge(topic, f);
  }

  /** The follower's socket took some of its frames (or it was moved by SET). */
  progressed(topic: string, f: LagFollower): void {
    if (this.followers.get(topic)?.has(f)) this.judge(topic, f);
  }

  /** Some subscriber of the topic holds its producers. */
  isHeld(topic: string): boolean {
    return this.holding.has(topic);
  }

  /** Any topic is held now (a cheap test before looking at a connection's topics). */
  get holdingAny(): boolean {
    return this.holding.size > 0;
  }

  close(): void {
    if (this.sweep !== null) clearInterval(this.sweep);
    this.sweep = null;
    this.holding.clear();
  }

  private judge(topic: string, f: LagFollower): void {
    const lag = f.lag();
    const held = this.holding.get(topic);
    if (lag <= this.limits.resumeLag) {
      this.leftBehind.delete(f);
      this.free(topic, f);
      return;
    }
    if (held?.has(f) || lag <= this.limits.maxLag || this.leftBehind.has(f)) return;
    if (held === undefined) {
      this.holding.set(topic, new Map([[f, performance.now()]]));
      this.holds++;
      this.startSweep();
      this.changed();
    } else held.set(f, performance.now());
  }

  private free(topic: string, f: LagFollower): void {
    const held = this.holding.get(topic);
    if (held === undefined || !held.delete(f) || held.size > 0) return;
    this.holding.delete(topic);
    if (this.holding.size === 0 && this.sweep !== null) {
      clearInterval(this.sweep);
      this.sweep = null;
    }
    this.changed();
  }

  private startSweep(): void {
    if (this.sweep !== null) return;
    this.sweep = setInterval(() => this.letGoLongHolds(), Math.max(this.limits.maxHoldMs / 4, 5));
    this.sweep.unref();
  }

  private letGoLongHolds(): void {
    const deadline = performance.now() - this.limits.maxHoldMs;
    for (const [topic, held] of [...this.holding])
      for (const [f, since] of [...held])
        if (since < deadline) {
          this.leftBehind.add(f);
          this.released++;
          this.letGo(topic);
          this.free(topic, f);
        }
  }
}
