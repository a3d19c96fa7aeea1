import type { SyncMode, TopicStore } from '@esc/streams';

interface KeyState {
  /** The offset being committed now, or null. */
  inflight: Promise<void> | null;
  /** A newer offset to commit once the one in flight lands. */
  next: number | null;
}

/**
 * A PLS client id's offsets, kept as an esc consumer group of that name (`__consumer_offsets`, so they survive a
 * restart and `esc consume --group ID` sees them). Commits of one (client, topic, partition) are serialised and
 * coalesced: while one is being written, later offsets replace each other and only the newest is written next,
 * so a fast subscriber costs one commit per round trip of the store, not one per delivery, and an older offset
 * can never land after a newer one. `get` answers the newest offset set here, committed or still on its way.
 */
export class ClientOffsets {
  private readonly latest = new Map<string, number>();
  private readonly states = new Map<string, KeyState>();
  private readonly idleWaiters: (() => void)[] = [];
  private inflight = 0;

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
    if (state === undefined) this.states.set(key, (state = { inflight: null, next: null }));
    if (state.inflight !== null) state.next = offset;
    else this.start(key, state, clientId, topic, partition, offset);
  }

  /** Resolves once every offset set so far has been committed (or failed). */
  idle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(key: string, state: KeyState, clientId: string, topic: string, partition: number, offset: number) {
    this.inflight++;
    state.inflight = this.topics
      .commit(clientId, topic, partition, offset, { sync: this.sync })
      .catch((err: unknown) => this.onError(err, clientId, topic, partition))
      .then(() => {
        this.inflight--;
        state.inflight = null;
        if (state.next !== null) {
          const next = state.next;
          state.next = null;
          this.start(key, state, clientId, topic, partition, next);
        } else if (this.inflight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }
}

function offsetKey(clientId: string, topic: string, partition: number): string {
  return `${clientId}\u0000${topic}\u0000${partition}`;
}
