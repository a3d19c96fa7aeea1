import type { RedisConnection } from '@esc/redis';
import type { LogRecord } from '../record-batch.js';
import { entryRecord } from './redis-record-codec.js';
import { idOfOffset, offsetOfId } from './redis-topic-layout.js';

type Client = RedisConnection['client'];

/** One partition's records as a consumer takes them: plainly from an offset, or as a group member. */
export interface PartitionSource {
  readonly partition: number;
  /** Up to `count` records; with `blockMs`, waits that long for one at the end of the stream. */
  read(count: number, blockMs?: number): Promise<LogRecord[]>;
}

type Entries = [Buffer, Buffer[] | null][];

function records(entries: Entries): LogRecord[] {
  // An entry deleted while pending comes back with null fields (XREADGROUP history); it has nothing to give.
  return entries
    .filter(([, fields]) => fields !== null)
    .map(([id, fields]) => entryRecord(offsetOfId(id.toString('latin1')), fields!));
}

/**
 * XREAD's reply for one key, or nothing when BLOCK timed out: `[[key, entries]]` in RESP2, a map `{key:
 * entries}` in RESP3 (which ioredis gives flat, `[key, entries]`).
 */
function firstStream(reply: unknown): Entries {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  if (Buffer.isBuffer(reply[0]) || typeof reply[0] === 'string') return (reply[1] ?? []) as Entries;
  return ((reply as [Buffer, Entries][])[0]?.[1] ?? []) as Entries;
}

/** A partition read from an offset on: XRANGE, or XREAD BLOCK at the end when following. */
export class OffsetSource implements PartitionSource {
  constructor(
    private readonly client: Client,
    private readonly key: string,
    readonly partition: number,
    private next: number,
  ) {}

  async read(count: number, blockMs?: number): Promise<LogRecord[]> {
    const got =
      blockMs === undefined
        ? records(
            (await this.client.callBuffer('XRANGE', this.key, idOfOffset(this.next), '+', 'COUNT', count)) as Entries,
          )
        : records(
            firstStream(
              await this.client.callBuffer(
                'XREAD',
                'COUNT',
                count,
                'BLOCK',
                blockMs,
                'STREAMS',
                this.key,
                `0-${this.next}`,
              ),
            ),
          );
    if (got.length > 0) this.next = got[got.length - 1]!.offset + 1;
    return got;
  }
}

/**
 * A partition read as a member of a Redis consumer group, at least once: first the entries this consumer was
 * given and never acknowledged (a restart under the same name), then, with `claimIdleMs`, entries other
 * members have held that long without acknowledging (XAUTOCLAIM: a member that died), then new ones (`>`).
 */
export class GroupSource implements PartitionSource {
  private ownCursor: string | null = '0-0';
  private claimCursor = '0-0';
  private lastClaim = 0;

  constructor(
    private readonly client: Client,
    private readonly key: string,
    readonly partition: number,
    private readonly group: string,
    private readonly consumer: string,
    private readonly claimIdleMs?: number,
  ) {}

  async read(count: number, blockMs?: number): Promise<LogRecord[]> {
    if (this.ownCursor !== null) {
      const entries = firstStream(
        await this.client.callBuffer(
          'XREADGROUP',
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          count,
          'STREAMS',
          this.key,
          this.ownCursor,
        ),
      );
      if (entries.length > 0) {
        this.ownCursor = entries[entries.length - 1]![0].toString('latin1');
        const got = records(entries);
        if (got.length > 0) return got;
      } else this.ownCursor = null;
    }
    if (
      this.claimIdleMs !== undefined &&
      (this.claimCursor !== '0-0' || Date.now() - this.lastClaim >= Math.min(this.claimIdleMs, 1_000))
    ) {
      const [cursor, entries] = (await this.client.callBuffer(
        'XAUTOCLAIM',
        this.key,
        this.group,
        this.consumer,
        this.claimIdleMs,
        this.claimCursor,
        'COUNT',
        count,
      )) as [Buffer, Entries];
      this.claimCursor = cursor.toString('latin1');
      if (this.claimCursor === '0-0') this.lastClaim = Date.now();
      const got = records(entries);
      if (got.length > 0) return got;
    }
    const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
    return records(
      firstStream(
        await this.client.callBuffer(
          'XREADGROUP',
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          count,
          ...block,
          'STREAMS',
          this.key,
          '>',
        ),
      ),
    );
  }
}
