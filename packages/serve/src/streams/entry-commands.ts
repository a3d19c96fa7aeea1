import { AckedReply } from '../acked-reply.js';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { array, bulk, error, integer, NULL_BULK, type Reply } from '../reply.js';
import {
  compareIds,
  decrementId,
  INVALID_ID_ERROR,
  incrementId,
  isZeroId,
  MIN_ID,
  nextAutoId,
  parseId,
  parseIntervalId,
  type StreamId,
  U64_MAX,
} from './stream-id.js';
import { encodeId } from './entry-codec.js';
import type { StreamKeyspace } from './stream-keyspace.js';
import type { StreamLog, TrimArgs } from './stream-log.js';
import {
  NOT_INTEGER,
  EMPTY_ARRAY,
  entryReply,
  isOption,
  NULL_ARRAY,
  parseInteger,
  SYNTAX_ERROR,
  WRONGTYPE,
  ZERO,
} from './stream-replies.js';

const arityError = (name: string): Reply => error(`ERR wrong number of arguments for '${name}' command`);
export const KEY_TOO_LONG = error('ERR stream key too long: its escaped topic name would pass 249 characters');

/** Redis's stream-node-max-entries * 100: the default LIMIT of an approximate trim. */
const DEFAULT_APPROX_LIMIT = 10_000;

interface AddOrTrimArgs {
  trim: TrimArgs | null;
  noMkstream: boolean;
  id: StreamId | null;
  seqGiven: boolean;
  /** Position of the ID (XADD) or past the options (XTRIM). */
  idPos: number;
}

/** streamParseAddOrTrimArgsOrReply: NOMKSTREAM, MAXLEN/MINID [=|~] N, LIMIT N, then XADD's ID. */
function parseAddOrTrimArgs(args: readonly Buffer[], xadd: boolean): AddOrTrimArgs | Reply {
  let strategy: TrimArgs['strategy'] | null = null;
  let approx = false;
  let maxlen = 0;
  let minid: StreamId = MIN_ID;
  let limit = 0;
  let limitGiven = false;
  let noMkstream = false;
  let id: StreamId | null = null;
  let seqGiven = true;
  let i = 2;
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const opt = args[i]!;
    if (xadd && opt.length === 1 && opt[0] === 0x2a) break;
    if ((isOption(opt, 'MAXLEN') || isOption(opt, 'MINID')) && more > 0) {
      if (strategy !== null)
        return error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      approx = false;
      const next = args[i + 1]!;
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        approx = true;
        i++;
      } else if (more >= 2 && next.length === 1 && next[0] === 0x3d) i++;
      if (isOption(opt, 'MAXLEN')) {
        const n = parseInteger(args[i + 1]!);
        if (n === null) return NOT_INTEGER;
        if (n < 0n) return error('ERR The MAXLEN argument must be >= 0.');
        maxlen = Number(n);
        strategy = 'maxlen';
      } else {
        const parsed = parseId(args[i + 1]!, { strict: true });
        if (parsed === null) return error(INVALID_ID_ERROR);
        minid = parsed.id;
        strategy = 'minid';
      }
      i++;
    } else if (isOption(opt, 'LIMIT') && more > 0) {
      const n = parseInteger(args[i + 1]!);
      if (n === null) return NOT_INTEGER;
      if (n < 0n) return error('ERR The LIMIT argument must be >= 0.');
      limit = Number(n);
      limitGiven = true;
      i++;
    } else if (xadd && isOption(opt, 'NOMKSTREAM')) noMkstream = true;
    else if (xadd) {
      const parsed = parseId(opt, { strict: true, allowSeqStar: true });
      if (parsed === null) return error(INVALID_ID_ERROR);
      id = parsed.id;
      seqGiven = parsed.seqGiven;
      break;
    } else return SYNTAX_ERROR;
  }
  if (limit !== 0 && strategy === null)
    return error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && strategy === null) return error('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (limitGiven) {
    if (!approx) return error('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else limit = approx ? DEFAULT_APPROX_LIMIT : 0;
  const trim = strategy === null ? null : { strategy, maxlen, minid, approx, limit };
  return { trim, noMkstream, id, seqGiven, idPos: i };
}

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'kind' in v;

/** `XADD key * field value …`, the common form: nothing to parse, nothing to allocate. */
const AUTO_ID: AddOrTrimArgs = { trim: null, noMkstream: false, id: null, seqGiven: true, idPos: 2 };

const isStar = (arg: Buffer): boolean => arg.length === 1 && arg[0] === 0x2a;

/** Answers with `reply` once the writes it depends on are done (or with the error that stopped them). */
export function afterWrites(writes: Promise<void> | readonly Promise<void>[], reply: Reply): Reply | Promise<Reply> {
  if ('then' in writes) return writes.then(() => reply, writeError);
  if (writes.length === 0) return reply;
  return Promise.all(writes).then(() => reply, writeError);
}

const writeError = (err: unknown): Reply => error(`ERR ${(err as Error).message}`);

export function entryCommands(ks: StreamKeyspace): CommandSpec[] {
  function xadd(args: readonly Buffer[], ctx: CommandContext): Reply | Promise<Reply> | AckedReply {
    const parsed = isStar(args[2]!) ? AUTO_ID : parseAddOrTrimArgs(args, true);
    if (isReply(parsed)) return parsed;
    const fieldPos = parsed.idPos + 1;
    const n = args.length - fieldPos;
    if (n < 2 || n % 2 === 1) return arityError('xadd');
    if (parsed.id !== null && parsed.seqGiven && isZeroId(parsed.id))
      return error('ERR The ID specified in XADD must be greater than 0-0');
    const key = args[1]!;
    const found = ks.lookup(key);
    if (found === 'wrongtype') return WRONGTYPE;
    let stream = found;
    if (stream === null) {
      if (parsed.noMkstream) return NULL_BULK;
      if (ks.topicFor(key) === null) return KEY_TOO_LONG;
    }
    const last = stream?.lastId ?? MIN_ID;
    if (last.ms === U64_MAX && last.seq === U64_MAX)
      return error('ERR The stream has exhausted the last possible ID, unable to add more items');
    let id: StreamId | null;
    if (parsed.id === null) id = nextAutoId(last, ctx.server.now());
    else if (parsed.seqGiven) id = parsed.id;
    else if (parsed.id.ms === last.ms) id = last.seq === U64_MAX ? null : { ms: last.ms, seq: last.seq + 1n };
    else id = parsed.id;
    if (id === null || compareIds(id, last) <= 0)
      return error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    stream ??= ks.create(key);
    const offset = stream.push(id);
    // The ID's bytes serve the record's header and the reply: no string made.
    const text = encodeId(id, ks.bytes);
    const written = ks.append(stream, offset, text, Number(id.ms), args.slice(fieldPos));
    const trimmed = parsed.trim !== null && stream.trim(parsed.trim) > 0 ? ks.persistTrim(stream) : null;
    ks.wake(stream.topic);
    // The turn's XADDs to one stream share their append's promise: a connection waits on it once, not per command.
    if (trimmed === null) return new AckedReply(bulk(text), written);
    return afterWrites([written, trimmed], bulk(text));
  }

  function xlen(args: readonly Buffer[]): Reply {
    const stream = ks.lookup(args[1]!);
    if (stream === 'wrongtype') return WRONGTYPE;
    return integer(stream?.length ?? 0);
  }

  function range(args: readonly Buffer[], reverse: boolean): Reply {
    const startArg = reverse ? args[3]! : args[2]!;
    const endArg = reverse ? args[2]! : args[3]!;
    const start = parseIntervalId(startArg, 0n);
    if (start === null) return error(INVALID_ID_ERROR);
    let from: StreamId | null = start.id;
    if (start.exclusive) from = incrementId(from);
    if (from === null) return error('ERR invalid start ID for the interval');
    const end = parseIntervalId(endArg, U64_MAX);
    if (end === null) return error(INVALID_ID_ERROR);
    let to: StreamId | null = end.id;
    if (end.exclusive) to = decrementId(to);
    if (to === null) return error('ERR invalid end ID for the interval');
    let count = -1;
    for (let j = 4; j < args.length; j++) {
      if (isOption(args[j], 'COUNT') && j + 1 < args.length) {
        const c = parseInteger(args[++j]!);
        if (c === null) return NOT_INTEGER;
        count = c < 0n ? 0 : Number(c > 2n ** 53n ? 2n ** 53n : c);
      } else return SYNTAX_ERROR;
    }
    const stream = ks.lookup(args[1]!);
    if (stream === 'wrongtype') return WRONGTYPE;
    if (stream === null) return EMPTY_ARRAY;
    if (count === 0) return NULL_ARRAY;
    const offsets = stream.rangeOffsets(from, to, Math.max(0, count), reverse);
    return entriesReply(ks, stream, offsets);
  }

  function xdel(args: readonly Buffer[]): Reply | Promise<Reply> {
    const stream = ks.lookup(args[1]!);
    if (stream === 'wrongtype') return WRONGTYPE;
    if (stream === null) return ZERO;
    const ids: StreamId[] = [];
    for (let j = 2; j < args.length; j++) {
      const parsed = parseId(args[j]!, { strict: true });
      if (parsed === null) return error(INVALID_ID_ERROR);
      ids.push(parsed.id);
    }
    let deleted = 0;
    const changes = [];
    for (const id of ids) {
      const offset = stream.offsetOf(id);
      if (offset < 0 || !stream.deleteOffset(offset)) continue;
      if (compareIds(id, stream.maxDeletedId) > 0) stream.maxDeletedId = id;
      changes.push({ key: ks.deletedKey(stream, offset), value: '' });
      deleted++;
    }
    if (deleted === 0) return ZERO;
    changes.push(...ks.trimChanges(stream));
    return afterWrites([ks.persist(changes)], integer(deleted));
  }

  function xtrim(args: readonly Buffer[]): Reply | Promise<Reply> {
    const parsed = parseAddOrTrimArgs(args, false);
    if (isReply(parsed)) return parsed;
    const stream = ks.lookup(args[1]!);
    if (stream === 'wrongtype') return WRONGTYPE;
    if (stream === null) return ZERO;
    const removed = stream.trim(parsed.trim!);
    if (removed === 0) return ZERO;
    return afterWrites(ks.persistTrim(stream), integer(removed));
  }

  return [
    spec('xadd', -5, ['write', 'denyoom', 'fast'], xadd),
    spec('xlen', 2, ['readonly', 'fast'], xlen),
    spec('xrange', -4, ['readonly'], (args) => range(args, false)),
    spec('xrevrange', -4, ['readonly'], (args) => range(args, true)),
    spec('xdel', -3, ['write', 'fast'], xdel),
    spec('xtrim', -4, ['write'], xtrim),
  ];
}

/** A command on one key at argument 1, as most stream commands are. */
export function spec(name: string, arity: number, flags: string[], handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags, firstKey: 1, lastKey: 1, step: 1, handler };
}

/** Entries at these offsets (in the order given) with their fields read from the log. */
export function entriesReply(ks: StreamKeyspace, stream: StreamLog, offsets: number[]): Reply {
  if (offsets.length === 0) return EMPTY_ARRAY;
  const fields = stream.fieldsByOffset(ks.store, offsets);
  return array(offsets.map((o) => entryReply(stream.idAt(o), fields.get(o) ?? null)));
}
