import type { SyncMode, TopicStore } from '@esc/streams';

/**
 * Least time between two commits of one (client, topic, partition). A commit is an append to
 * `__consumer_offsets` under its own lock (and, for now, a create-if-missing of that topic with a synced file
 * write, on the event loop): committed per delivered batch it cost a subscriber 5× its throughput. Kafka's
 * consumers commit every 5 s by default; 100 ms keeps the repeat window after a crash small.
 */
const COMMIT_INTERVAL_MS = 100;

interface KeyState {
  clientId: string;
  topic: string;
  partition: number;
  /** A commit being written now. */
  inflight: boolean;
  /** The newest offset not yet handed to the store, or null. */
  next: number | null;
  timer: NodeJS.Timeout | null;
  lastStart: number;
}

/**
 * A PLS client id's offsets, kept as an esc consumer group of that name (`__consumer_offsets`, so they survive a
 * restart and `esc consume --group ID` sees them). Commits of one (client, topic, partition) are serialised and
 * coalesced: one at a time, at most one per COMMIT_INTERVAL_MS, each carrying the newest offset set meanwhile, so
 * an older offset never lands after a newer one. `get` answers the newest offset set here, committed or on its
 * way; `flush` commits what waits at once (a clean stop).
 */
export class ClientOffsets {
  private readonly latest = new Map<string, number>();
  private readonly states = new Map<string, KeyState>();
  private readonly idleWaiters: (() => void)[] = [];
  private busy = 0;

  constructor(
    private readonly topics: TopicStore,
    private readonly sync: SyncMode,
    private readonly onError: (err: unknown, clientId: string, topic: string, partition: number) => void,
  ) {}

  /** The next offset to deliver to the client, or null when it has none for this partition. */
  get(clientId: string, topic: string, partition: number): number | null {
    return this.latest.get(offsetKey(clientId, topic, partition)) ?? this.topics.committed(clientId, topic, partition);
  }

  set(clientId: string, topic: string, partition: number, offset: number): void {
    const key = offsetKey(clientId, topic, partition);
    this.latest.set(key, offset);
    let state = this.states.get(key);
    if (state === undefined) {
      state = { clientId, topic, partition, inflight: false, next: null, timer: null, lastStart: 0 };
      this.states.set(key, state);
    }
    if (state.next === null) this.busy++;
    state.next = offset;
    this.schedule(state);
  }

  /** Commits every waiting offset now and resolves once all have landed (or failed). */
  flush(): Promise<void> {
    for (const state of this.states.values())
      if (state.timer !== null) {
        clearTimeout(state.timer);
        state.timer = null;
        this.start(state);
      }
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(state: KeyState): void {
    if (state.inflight || state.timer !== null || state.next === null) return;
    const wait = state.lastStart + COMMIT_INTERVAL_MS - Date.now();
    if (wait <= 0) this.start(state);
    else
      state.timer = setTimeout(() => {
        state.timer = null;
        this.start(state);
      }, wait);
  }

  private start(state: KeyState): void {
    if (state.inflight || state.next === null) return;
    const offset = state.next;
    state.next = null;
    state.inflight = true;
    state.lastStart = Date.now();
    this.topics
      .commit(state.clientId, state.topic, state.partition, offset, { sync: this.sync })
      .catch((err: unknown) => this.onError(err, state.clientId, state.topic, state.partition))
      .then(() => {
        state.inflight = false;
        this.busy--;
        if (this.busy === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        else if (this.idleWaiters.length > 0) this.start(state);
        this.schedule(state);
      });
  }
}

function offsetKey(clientId: string, topic: string, partition: number): string {
  return `${clientId}\u0000${topic}\u0000${partition}`;
}
