import type { Cluster, Redis } from 'ioredis';
import type { LogEvent } from '../log-event.js';
import type { LogQuery, QueryResult } from '../log-query.js';
import { type EventKeys, idOfOffset, SEQUENCE_SPACE } from './event-keys.js';
import { decodeStoredEvent } from './stored-event.js';

/** Entries one request may look at (filters Redis cannot apply: the second of level+service, `q`); past it, `next`. */
const MAX_EXAMINED = 200_000;
const MAX_CHUNK = 1_000;

/** One partition's stream read newest first, a chunk (XREVRANGE … COUNT) at a time. */
class PartitionCursor {
  private buffer: LogEvent[] = [];
  private at = 0;
  private exhausted = false;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly key: string,
    private end: string,
    private readonly start: string,
    private readonly chunk: number,
  ) {}

  get needsFill(): boolean {
    return this.at >= this.buffer.length && !this.exhausted;
  }

  head(): LogEvent | undefined {
    return this.buffer[this.at];
  }

  take(): void {
    this.at++;
  }

  async fill(): Promise<void> {
    const entries = (await this.client.xrevrange(this.key, this.end, this.start, 'COUNT', this.chunk)) as [
      string,
      string[],
    ][];
    if (entries.length < this.chunk) this.exhausted = true;
    if (entries.length > 0) this.end = `(${entries[entries.length - 1]![0]}`;
    this.buffer = [];
    this.at = 0;
    for (const entry of entries) {
      const e = decodeStoredEvent(entry);
      if (e !== null) this.buffer.push(e);
    }
    // A chunk of entries none of which decoded: read on.
    if (this.buffer.length === 0 && !this.exhausted) await this.fill();
  }
}

/**
 * GET /logs over the partitions' streams: the stream that fits the filter (the level's, the service's, the
 * shorter of the two when both are given, else the all-events stream) of every partition, read newest first
 * within the stream IDs of [since, until] and below the cursor, merged by offset; what Redis cannot filter
 * (the other of level and service, `q`) is tested here. Work per request is bounded; a reply cut short has `next`.
 */
export class StreamQuery {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly keys: EventKeys,
    private readonly partitions: number,
  ) {}

  async run(query: LogQuery): Promise<QueryResult> {
    const streamOf = await this.chooseStream(query);
    const filtered = (query.level !== undefined && query.service !== undefined) || query.matches !== undefined;
    const chunk = filtered ? MAX_CHUNK : Math.min(query.limit, MAX_CHUNK);
    let endOffset = query.before - 1;
    if (query.until < Number.POSITIVE_INFINITY)
      endOffset = Math.min(endOffset, Math.floor(query.until) * SEQUENCE_SPACE + SEQUENCE_SPACE - 1);
    if (endOffset < 0) return { events: [], next: null };
    const end = Number.isFinite(endOffset) ? idOfOffset(endOffset) : '+';
    const start = query.since > 0 ? `${Math.ceil(query.since)}-0` : '-';
    const cursors = Array.from(
      { length: this.partitions },
      (_, p) => new PartitionCursor(this.client, streamOf(p), end, start, chunk),
    );
    const events: LogEvent[] = [];
    let examined = 0;
    for (;;) {
      await Promise.all(cursors.filter((c) => c.needsFill).map((c) => c.fill()));
      let newest: PartitionCursor | undefined;
      for (const c of cursors) {
        const head = c.head();
        if (head !== undefined && (newest === undefined || head.offset > newest.head()!.offset)) newest = c;
      }
      if (newest === undefined) return { events, next: null };
      const e = newest.head()!;
      newest.take();
      if (accepts(query, e)) {
        events.push(e);
        if (events.length >= query.limit) return { events, next: e.offset };
      }
      if (++examined >= MAX_EXAMINED) return { events, next: e.offset };
    }
  }

  private async chooseStream(query: LogQuery): Promise<(p: number) => string> {
    const { level, service } = query;
    const k = this.keys;
    if (level === undefined && service === undefined) return (p) => k.all(p);
    if (level === undefined) return (p) => k.service(p, service!);
    if (service === undefined) return (p) => k.level(p, level);
    let levelLength = 0;
    let serviceLength = 0;
    for (let p = 0; p < this.partitions; p++) {
      levelLength += await this.client.xlen(k.level(p, level));
      serviceLength += await this.client.xlen(k.service(p, service));
    }
    return serviceLength < levelLength ? (p) => k.service(p, service) : (p) => k.level(p, level);
  }
}

function accepts(query: LogQuery, e: LogEvent): boolean {
  if (query.level !== undefined && e.level !== query.level) return false;
  if (query.service !== undefined && e.service !== query.service) return false;
  return query.matches === undefined || query.matches(e.message);
}
