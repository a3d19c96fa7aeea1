import type { AlertTransition } from '../alerts/alert-engine.js';
import type { AlertRecord } from '../alerts/alert-history.js';
import type { SharedAlertLog } from '../alerts/shared-alert-log.js';
import { LuaScript } from './lua-script.js';
import type { RedisBackend } from './redis-backend.js';
import { StreamFollower } from './stream-follower.js';

/** Appends a notification with the next seq of the shared history. KEYS: log stream, seq. ARGV: limit, JSON. */
const PUBLISH_SCRIPT = new LuaScript(`
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'seq', seq, 'r', ARGV[2])
return seq
`);

function decodeRecord(entry: [string, string[]]): AlertRecord | null {
  const fields = entry[1];
  const seq = Number(fields[fields.indexOf('seq') + 1]);
  const at = fields.indexOf('r');
  if (!Number.isSafeInteger(seq) || at < 0) return null;
  try {
    return { ...(JSON.parse(fields[at + 1]!) as AlertTransition), seq };
  } catch {
    return null;
  }
}

/**
 * The alert notifications of every `esc serve --backend` instance in one Redis stream, `{PREFIX:alerts}:log`
 * (field `seq` from `{PREFIX:alerts}:seq`, field `r` the transition's JSON), trimmed to about `limit` entries:
 * the instance that delivers a notification publishes it, and every instance follows the stream into its
 * GET /alerts history and its /alerts/stream clients, so they all show the same history, numbered alike.
 */
export class RedisAlertHistory implements SharedAlertLog {
  private readonly log: string;
  private readonly seq: string;
  private readonly follower: StreamFollower<AlertRecord>;

  constructor(
    private readonly backend: RedisBackend,
    private readonly limit: number,
  ) {
    this.log = `{${backend.prefix}:alerts}:log`;
    this.seq = `{${backend.prefix}:alerts}:seq`;
    this.follower = new StreamFollower(backend.connection, [this.log], decodeRecord);
  }

  async publish(transition: AlertTransition): Promise<number> {
    const args = [this.limit, JSON.stringify(transition)];
    return Number(await PUBLISH_SCRIPT.run(this.backend.connection.client, [this.log, this.seq], args));
  }

  async readLast(limit: number): Promise<AlertRecord[]> {
    const entries = (await this.backend.connection.client.xrevrange(this.log, '+', '-', 'COUNT', limit)) as [
      string,
      string[],
    ][];
    return entries
      .map(decodeRecord)
      .filter((r): r is AlertRecord => r !== null)
      .reverse();
  }

  async follow(listener: (record: AlertRecord) => void): Promise<void> {
    this.follower.onEvent(listener);
    await this.follower.start();
  }

  close(): Promise<void> {
    return this.follower.stop();
  }
}
