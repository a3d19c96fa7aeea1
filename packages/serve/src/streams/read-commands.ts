import type { StateChange } from '@esc/streams';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { array, bulk, error, type Reply } from '../reply.js';
import type { Consumer, ConsumerGroup } from './consumer-group.js';
import { afterWrites, entriesReply } from './entry-commands.js';
import { compareIds, INVALID_ID_ERROR, incrementId, MAX_ID, parseId, type StreamId } from './stream-id.js';
import type { StreamKeyspace } from './stream-keyspace.js';
import type { StreamLog } from './stream-log.js';
import { consumerChange, groupChange, pendingChange } from './stream-state.js';
import {
  NOT_INTEGER,
  entryReply,
  isOption,
  NULL_ARRAY,
  parseInteger,
  printable,
  SYNTAX_ERROR,
  WRONGTYPE,
} from './stream-replies.js';

/** `>`: deliver entries never delivered to the group (Redis marks it with the largest ID). */
const NEW_ENTRIES: StreamId = MAX_ID;

interface ReadTarget {
  key: Buffer;
  /** Entries with IDs above this are wanted (XREAD's ID, `$` resolved; NEW_ENTRIES for `>`). */
  after: StreamId;
  group: ConsumerGroup | null;
}

interface Served {
  key: Buffer;
  entries: Reply;
}

/** XREAD and XREADGROUP (t_stream.c's xreadCommand), blocking included. */
export function readCommands(ks: StreamKeyspace): CommandSpec[] {
  function read(args: readonly Buffer[], ctx: CommandContext, xreadgroup: boolean): Reply | Promise<Reply> {
    let timeout = -1;
    let count = 0;
    let streamsArg = 0;
    let streamsCount = 0;
    let noack = false;
    let groupName: string | null = null;
    let consumerName: string | null = null;
    for (let i = 1; i < args.length; i++) {
      const more = args.length - i - 1;
      const o = args[i]!;
      if (isOption(o, 'BLOCK') && more > 0) {
        const t = parseInteger(args[++i]!);
        if (t === null) return error('ERR timeout is not an integer or out of range');
        if (t < 0n) return error('ERR timeout is negative');
        timeout = Number(t);
      } else if (isOption(o, 'COUNT') && more > 0) {
        const c = parseInteger(args[++i]!);
        if (c === null) return NOT_INTEGER;
        count = c < 0n ? 0 : Number(c > 2n ** 53n ? 2n ** 53n : c);
      } else if (isOption(o, 'STREAMS') && more > 0) {
        streamsArg = i + 1;
        streamsCount = args.length - streamsArg;
        if (streamsCount % 2 !== 0)
          // Redis 7.0 names XREAD and '$' in this text for XREADGROUP too.
          return error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        streamsCount /= 2;
        break;
      } else if (isOption(o, 'GROUP') && more >= 2) {
        if (!xreadgroup)
          return error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        groupName = args[i + 1]!.toString('latin1');
        consumerName = args[i + 2]!.toString('latin1');
        i += 2;
      } else if (isOption(o, 'NOACK')) {
        if (!xreadgroup)
          return error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        noack = true;
      } else return SYNTAX_ERROR;
    }
    if (streamsArg === 0) return SYNTAX_ERROR;
    if (xreadgroup && groupName === null) return error('ERR Missing GROUP option for XREADGROUP');

    const targets: ReadTarget[] = [];
    for (let i = streamsArg + streamsCount; i < args.length; i++) {
      const key = args[i - streamsCount]!;
      const found = ks.lookup(key);
      if (found === 'wrongtype') return WRONGTYPE;
      let group: ConsumerGroup | null = null;
      if (groupName !== null) {
        group = found?.groups.get(groupName) ?? null;
        if (found === null || group === null)
          return error(
            `NOGROUP No such key '${printable(key)}' or consumer group '${printable(Buffer.from(groupName, 'latin1'))}' in XREADGROUP with GROUP option`,
          );
      }
      const idArg = args[i]!.toString('latin1');
      if (idArg === '$') {
        if (xreadgroup)
          return error(
            'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
          );
        targets.push({ key, after: found?.lastId ?? { ms: 0n, seq: 0n }, group });
      } else if (idArg === '>') {
        if (!xreadgroup)
          return error(
            'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
          );
        targets.push({ key, after: NEW_ENTRIES, group });
      } else {
        const parsed = parseId(args[i]!, { strict: true });
        if (parsed === null) return error(INVALID_ID_ERROR);
        targets.push({ key, after: parsed.id, group });
      }
    }

    const now = ctx.server.now();
    const served: Served[] = [];
    const changes: StateChange[] = [];
    for (const target of targets) {
      const stream = ks.get(target.key);
      if (stream === null) continue;
      const group = target.group;
      if (group !== null) {
        const consumer = group.touchConsumer(consumerName!, now, (c) =>
          changes.push(consumerChange(stream.topic, group.name, c)),
        );
        const history = compareIds(target.after, NEW_ENTRIES) !== 0;
        if (history)
          served.push({
            key: target.key,
            entries: serveHistory(stream, group, consumer, target.after, count, now, changes),
          });
        else if (stream.length > 0 && compareIds(stream.idAt(stream.lastLive()), group.lastId) > 0)
          served.push({
            key: target.key,
            entries: serveNew(stream, group, consumer, count, noack, now, changes),
          });
      } else if (stream.length > 0 && compareIds(stream.idAt(stream.lastLive()), target.after) > 0)
        served.push({ key: target.key, entries: serveRange(stream, target.after, count) });
    }
    const writes = changes.length > 0 ? [ks.persist(changes)] : [];
    if (served.length > 0) return afterWrites(writes, readReply(ctx, served));
    if (timeout === -1) return afterWrites(writes, NULL_ARRAY);
    const blocked = block(ctx, targets, timeout, consumerName, count, noack);
    return writes.length > 0 ? Promise.all(writes).then(() => blocked) : blocked;
  }

  /** Waits until a write to one of the streams serves the client, the timeout passes, or the client goes. */
  function block(
    ctx: CommandContext,
    targets: ReadTarget[],
    timeout: number,
    consumerName: string | null,
    count: number,
    noack: boolean,
  ): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | null = null;
      const unblockers: (() => void)[] = [];
      const finish = (reply: Reply | Promise<Reply>): void => {
        if (done) return;
        done = true;
        for (const u of unblockers) u();
        if (timer !== null) clearTimeout(timer);
        resolve(reply);
      };
      for (const target of targets)
        unblockers.push(
          ks.block(target.key, () => {
            const stream = ks.get(target.key);
            if (stream === null) return;
            const now = ctx.server.now();
            if (target.group === null) {
              if (compareIds(stream.lastId, target.after) <= 0) return;
              finish(readReply(ctx, [{ key: target.key, entries: serveRange(stream, target.after, count) }]));
              return;
            }
            const group = stream.groups.get(target.group.name);
            if (group !== target.group) {
              finish(error('NOGROUP the consumer group this client was blocked on no longer exists'));
              return;
            }
            if (compareIds(stream.lastId, group.lastId) <= 0) return;
            const changes: StateChange[] = [];
            const consumer = group.touchConsumer(consumerName!, now, (c) =>
              changes.push(consumerChange(stream.topic, group.name, c)),
            );
            const entries = serveNew(stream, group, consumer, count, noack, now, changes);
            finish(afterWrites([ks.persist(changes)], readReply(ctx, [{ key: target.key, entries }])));
          }),
        );
      if (timeout > 0) timer = setTimeout(() => finish(NULL_ARRAY), timeout);
      void ctx.connection.closed.then(() => finish(NULL_ARRAY));
    });
  }

  /** XREAD: live entries after `after`. */
  function serveRange(stream: StreamLog, after: StreamId, count: number): Reply {
    const from = incrementId(after);
    if (from === null) return array([]);
    return entriesReply(ks, stream, stream.rangeOffsets(from, MAX_ID, count, false));
  }

  /** XREADGROUP `>`: the entries after the group's last-delivered ID, into the PEL unless NOACK. */
  function serveNew(
    stream: StreamLog,
    group: ConsumerGroup,
    consumer: Consumer,
    count: number,
    noack: boolean,
    now: number,
    changes: StateChange[],
  ): Reply {
    const from = incrementId(group.lastId);
    if (from === null) return array([]);
    const offsets = stream.rangeOffsets(from, MAX_ID, count, false);
    for (const o of offsets) {
      const id = stream.idAt(o);
      if (compareIds(id, group.lastId) > 0) {
        if (group.entriesRead !== -1 && !stream.hasTombstonesFrom(id)) group.entriesRead++;
        else if (stream.entriesAdded > 0) group.entriesRead = stream.estimateEntriesRead(id);
        group.lastId = id;
      }
      if (!noack) changes.push(pendingChange(stream.topic, group.name, group.setPending(id, consumer, now, 1)));
    }
    if (offsets.length > 0) changes.push(groupChange(stream.topic, group));
    return entriesReply(ks, stream, offsets);
  }

  /** XREADGROUP with an ID: the consumer's own pending entries after it, delivered again. */
  function serveHistory(
    stream: StreamLog,
    group: ConsumerGroup,
    consumer: Consumer,
    after: StreamId,
    count: number,
    now: number,
    changes: StateChange[],
  ): Reply {
    const from = incrementId(after);
    if (from === null) return array([]);
    let pending = group.consumerPendingFrom(consumer, from);
    if (count > 0) pending = pending.slice(0, count);
    const offsets = pending.map((p) => stream.offsetOf(p.id));
    const byOffset = stream.fieldsByOffset(
      ks.store,
      offsets.filter((o) => o >= 0 && stream.isLive(o)),
    );
    const out: Reply[] = [];
    pending.forEach((p, i) => {
      const f = byOffset.get(offsets[i]!) ?? null;
      if (f !== null) {
        p.deliveryTime = now;
        p.deliveryCount++;
        changes.push(pendingChange(stream.topic, group.name, p));
      }
      out.push(entryReply(p.id, f));
    });
    return array(out);
  }

  const flags = ['blocking', 'movablekeys'];
  return [
    {
      name: 'xread',
      arity: -4,
      flags: ['readonly', ...flags],
      firstKey: 0,
      lastKey: 0,
      step: 0,
      handler: (args, ctx) => read(args, ctx, false),
    },
    {
      name: 'xreadgroup',
      arity: -7,
      flags: ['write', ...flags],
      firstKey: 0,
      lastKey: 0,
      step: 0,
      handler: (args, ctx) => read(args, ctx, true),
    },
  ];
}

/** RESP2: `[[key, entries], …]`; RESP3: a map of key to entries, as Redis 7 answers XREAD. */
function readReply(ctx: CommandContext, served: Served[]): Reply {
  if (ctx.connection.protocol === 3) return { kind: 'map', entries: served.map((s) => [bulk(s.key), s.entries]) };
  return array(served.map((s) => array([bulk(s.key), s.entries])));
}
