import { groupBySlot, type RedisConnection } from '@esc/redis';
import { Cluster, type Redis } from 'ioredis';
import type { CommandContext, CommandFamily, CommandHandler, CommandSpec } from '../command-spec.js';
import { array, error, integer, OK, type Reply } from '../reply.js';
import { replyFromBackend } from './backend-reply.js';

/** The kv family's commands and the stream family's: what `esc serve` serves of its stores, forwarded. */
const FORWARDED = [
  'append',
  'decr',
  'decrby',
  'del',
  'exists',
  'expire',
  'expireat',
  'expiretime',
  'flushall',
  'flushdb',
  'get',
  'getdel',
  'getex',
  'incr',
  'incrby',
  'keys',
  'mget',
  'mset',
  'msetnx',
  'persist',
  'pexpire',
  'pexpireat',
  'pexpiretime',
  'pttl',
  'rename',
  'scan',
  'set',
  'strlen',
  'ttl',
  'type',
  'unlink',
  'dbsize',
  'xack',
  'xadd',
  'xautoclaim',
  'xclaim',
  'xdel',
  'xgroup',
  'xinfo',
  'xlen',
  'xpending',
  'xrange',
  'xread',
  'xreadgroup',
  'xrevrange',
  'xtrim',
] as const;

/** Masters a SCAN cursor can walk: the master's index is the cursor's low 6 bits. */
const MASTER_BITS = 64n;

type CommandInfo = [string, number, string[], number, number, number, ...unknown[]];

/**
 * `esc serve --backend`'s RESP commands: the kv and stream families' commands, sent to the backend as the client
 * gave them, their replies relayed. Each command's arity, flags and key positions come from the backend's own
 * `COMMAND INFO`, so argument errors are Redis's. In a cluster, ioredis routes a keyed command by its slot;
 * DEL/UNLINK/EXISTS/MGET/MSET with keys in several slots are split by slot as cluster clients split them
 * (MSET then is atomic per slot only); KEYS/SCAN/DBSIZE/FLUSHDB/FLUSHALL visit every master. A blocking XREAD or
 * XREADGROUP gets a connection of its own for the wait. Any other multi-slot command answers CROSSSLOT, as Redis
 * Cluster does.
 */
export async function forwardFamily(connection: RedisConnection, client: Redis | Cluster): Promise<CommandFamily> {
  const infos = (await client.call('COMMAND', 'INFO', ...FORWARDED)) as (CommandInfo | null)[];
  const commands: CommandSpec[] = [];
  for (const info of infos) {
    if (info === null) continue;
    const [name, arity, flags, firstKey, lastKey, step] = info;
    commands.push({ name, arity, flags, firstKey, lastKey, step, handler: handlerFor(connection, client, name) });
  }
  return { commands };
}

/**
 * `client` answers with RESP3 types (maps as objects: replyMapping 'resp3'), turned into the shapes of the
 * client's protocol; `connection.masters()` serve the whole-keyspace commands, whose replies have no maps.
 */
function handlerFor(connection: RedisConnection, client: Redis | Cluster, name: string): CommandHandler {
  type Send = (args: readonly Buffer[], on?: Redis | Cluster) => Promise<Reply>;
  const sender =
    (ctx: CommandContext): Send =>
    async (args, on = client) => {
      try {
        return replyFromBackend(name, await on.callBuffer(name, ...args.slice(1)), ctx.connection.protocol);
      } catch (err) {
        return backendError(err);
      }
    };
  const cluster = connection.isCluster;
  const plain: CommandHandler = (args, ctx) => sender(ctx)(args);
  switch (name) {
    case 'del':
    case 'unlink':
    case 'exists':
      if (!cluster) return plain;
      // Integer replies summed over the slots.
      return async (args, ctx) => {
        const send = sender(ctx);
        let total = 0;
        for (const group of groupBySlot(args.slice(1))) {
          const reply = await send([args[0]!, ...group.keys]);
          if (reply.kind !== 'integer') return reply;
          total += Number(reply.value);
        }
        return integer(total);
      };
    case 'mget':
      if (!cluster) return plain;
      return async (args, ctx) => {
        const send = sender(ctx);
        const out: Reply[] = new Array(args.length - 1);
        for (const group of groupBySlot(args.slice(1))) {
          const reply = await send([args[0]!, ...group.keys]);
          if (reply.kind !== 'array' || reply.items === null) return reply;
          for (const [i, at] of group.indexes.entries()) out[at] = reply.items[i]!;
        }
        return array(out);
      };
    case 'mset':
      if (!cluster) return plain;
      return async (args, ctx) => {
        const send = sender(ctx);
        if (args.length % 2 === 0) return send(args);
        const pairs = new Map<Buffer, Buffer>();
        for (let i = 1; i < args.length; i += 2) pairs.set(args[i]!, args[i + 1]!);
        for (const group of groupBySlot([...pairs.keys()])) {
          const reply = await send([args[0]!, ...group.keys.flatMap((k) => [k, pairs.get(k)!])]);
          if (reply.kind === 'error') return reply;
        }
        return OK;
      };
    case 'keys':
    case 'dbsize':
    case 'flushdb':
    case 'flushall':
      return async (args, ctx) => {
        const send = sender(ctx);
        const replies = await Promise.all(connection.masters().map((m) => send(args, m)));
        const failed = replies.find((r) => r.kind === 'error');
        if (failed !== undefined || replies.length === 1) return failed ?? replies[0]!;
        if (name === 'keys') return array(replies.flatMap((r) => (r.kind === 'array' ? (r.items ?? []) : [])));
        if (name === 'dbsize')
          return integer(replies.reduce((n, r) => n + Number(r.kind === 'integer' ? r.value : 0), 0));
        return OK;
      };
    case 'scan':
      if (!cluster) return plain;
      return (args, ctx) => scanMasters(connection, args, sender(ctx));
    case 'xread':
    case 'xreadgroup':
      return async (args, ctx) => {
        const send = sender(ctx);
        if (!args.some((a) => a.length === 5 && a.toString('latin1').toLowerCase() === 'block')) return send(args);
        // A wait on the shared connection would hold up every other client's command: a connection of its own.
        const own = client instanceof Cluster ? client.duplicate() : client.duplicate();
        own.on('error', () => {});
        const gone = () => own.disconnect();
        void ctx.connection.closed.then(gone);
        try {
          return await send(args, own);
        } finally {
          gone();
        }
      };
    default:
      return plain;
  }
}

/** SCAN over every master in turn: cursor = the master's cursor × 64 + the master's index. */
async function scanMasters(
  connection: RedisConnection,
  args: readonly Buffer[],
  send: (args: readonly Buffer[], on: Redis) => Promise<Reply>,
): Promise<Reply> {
  const masters = connection.masters();
  let cursor: bigint;
  try {
    cursor = BigInt(args[1]!.toString('latin1'));
  } catch {
    return error('ERR invalid cursor');
  }
  const index = Number(cursor % MASTER_BITS);
  if (index >= masters.length) return error('ERR invalid cursor');
  const reply = await send([args[0]!, Buffer.from(String(cursor / MASTER_BITS)), ...args.slice(2)], masters[index]!);
  if (reply.kind !== 'array' || reply.items === null) return reply;
  const [next, keys] = reply.items as [Reply & { kind: 'bulk' }, Reply];
  let nextCursor = BigInt(String(next.value)) * MASTER_BITS + BigInt(index);
  if (nextCursor === BigInt(index)) nextCursor = index + 1 < masters.length ? BigInt(index + 1) : 0n;
  return array([{ kind: 'bulk', value: String(nextCursor) }, keys]);
}

function backendError(err: unknown): Reply {
  const message = err instanceof Error ? err.message : String(err);
  // Redis's own error replies (WRONGTYPE, ERR syntax error, CROSSSLOT…) pass through as they are.
  if (err instanceof Error && err.name === 'ReplyError') return error(message);
  return error(`ERR backend unavailable: ${message}`);
}
