import type { StateChange } from '@esc/streams';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { array, bulk, error, integer, NULL_BULK, OK, type Reply } from '../reply.js';
import { Consumer, ConsumerGroup, INVALID_ENTRIES_READ, type PendingEntry } from './consumer-group.js';
import { containerSpec } from '../subcommands.js';
import { afterWrites, KEY_TOO_LONG, spec } from './entry-commands.js';
import {
  compareIds,
  decrementId,
  formatId,
  INVALID_ID_ERROR,
  incrementId,
  parseId,
  parseIntervalId,
  type StreamId,
  U64_MAX,
} from './stream-id.js';
import type { StreamKeyspace } from './stream-keyspace.js';
import type { StreamLog } from './stream-log.js';
import {
  consumerChange,
  consumerKey,
  groupChange,
  groupTombstones,
  pendingChange,
  pendingKey,
} from './stream-state.js';
import {
  NOT_INTEGER,
  entryReply,
  idReply,
  isOption,
  NULL_ARRAY,
  parseInteger,
  printable,
  SYNTAX_ERROR,
  WRONGTYPE,
  ZERO,
} from './stream-replies.js';

const name = (b: Buffer): string => b.toString('latin1');
const shown = (s: string): string => printable(Buffer.from(s, 'latin1'));
const noGroup = (key: Buffer, group: Buffer): Reply =>
  error(`NOGROUP No such key '${printable(key)}' or consumer group '${printable(group)}'`);

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

/** Redis 7.0's subcommand arities (COMMAND INFO xgroup). */
const XGROUP_ARITY: Record<string, number> = {
  create: -5,
  setid: -5,
  destroy: 4,
  createconsumer: 5,
  delconsumer: 5,
  help: 2,
};

export function subcommandError(args: readonly Buffer[], command: string): Reply {
  return error(
    `ERR unknown subcommand or wrong number of arguments for '${printable(args[1]!)}'. Try ${command} HELP.`,
  );
}

export function groupCommands(ks: StreamKeyspace): CommandSpec[] {
  function xgroup(args: readonly Buffer[], ctx: CommandContext): Reply | Promise<Reply> {
    const sub = args[1]!.toString('latin1').toLowerCase();
    if (sub === 'help') return array(XGROUP_HELP.map((l) => ({ kind: 'simple', value: l })));
    let mkstream = false;
    let entriesRead = INVALID_ENTRIES_READ;
    if (sub === 'create' && args.length >= 6) {
      for (let i = 5; i < args.length; ) {
        if (isOption(args[i], 'MKSTREAM')) {
          mkstream = true;
          i++;
        } else if (isOption(args[i], 'ENTRIESREAD') && i + 1 < args.length) {
          const n = parseInteger(args[i + 1]!);
          if (n === null) return NOT_INTEGER;
          if (n < 0n && n !== -1n) return error('ERR value for ENTRIESREAD must be positive or -1');
          entriesRead = Number(n);
          i += 2;
        } else return subcommandError(args, 'XGROUP');
      }
    }
    const key = args[2]!;
    const found = ks.lookup(key);
    if (found === 'wrongtype') return WRONGTYPE;
    let stream = found;
    const groupName = name(args[3]!);
    let group: ConsumerGroup | null = null;
    if (!mkstream) {
      if (stream === null)
        return error(
          'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
        );
      group = stream.groups.get(groupName) ?? null;
      if (group === null && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer'))
        return error(`NOGROUP No such consumer group '${shown(groupName)}' for key name '${printable(key)}'`);
    }
    const now = ctx.server.now();
    if (sub === 'create' && args.length <= 8) {
      let id: StreamId;
      if (args[4]!.toString('latin1') === '$') id = stream?.lastId ?? { ms: 0n, seq: 0n };
      else {
        const parsed = parseId(args[4]!, { strict: true });
        if (parsed === null) return error(INVALID_ID_ERROR);
        id = parsed.id;
      }
      if (stream === null) {
        if (ks.topicFor(key) === null) return KEY_TOO_LONG;
        stream = ks.create(key);
      }
      if (stream.groups.has(groupName)) return error('BUSYGROUP Consumer Group name already exists');
      const created = new ConsumerGroup(groupName, id, entriesRead);
      stream.groups.set(groupName, created);
      return afterWrites([ks.persist([groupChange(stream.topic, created)])], OK);
    }
    if (sub === 'setid' && (args.length === 5 || args.length === 7)) {
      let id: StreamId;
      let read = INVALID_ENTRIES_READ;
      if (args[4]!.toString('latin1') === '$') id = stream!.lastId;
      else {
        const parsed = parseId(args[4]!);
        if (parsed === null) return error(INVALID_ID_ERROR);
        id = parsed.id;
      }
      if (args.length === 7) {
        if (!isOption(args[5], 'ENTRIESREAD')) return subcommandError(args, 'XGROUP');
        const n = parseInteger(args[6]!);
        if (n === null) return NOT_INTEGER;
        if (n < 0n && n !== -1n) return error('ERR value for ENTRIESREAD must be positive or -1');
        read = Number(n);
      }
      group!.lastId = id;
      group!.entriesRead = read;
      return afterWrites([ks.persist([groupChange(stream!.topic, group!)])], OK);
    }
    if (sub === 'destroy') {
      if (group === null) return ZERO;
      stream!.groups.delete(groupName);
      const changes = groupTombstones(stream!.topic, group);
      ks.wake(stream!.topic);
      return afterWrites([ks.persist(changes)], integer(1));
    }
    if (sub === 'createconsumer') {
      const consumerName = name(args[4]!);
      if (group!.consumers.has(consumerName)) return ZERO;
      const consumer = new Consumer(consumerName, now);
      group!.consumers.set(consumerName, consumer);
      return afterWrites([ks.persist([consumerChange(stream!.topic, groupName, consumer)])], integer(1));
    }
    if (sub === 'delconsumer') {
      const consumerName = name(args[4]!);
      const consumer = group!.consumers.get(consumerName);
      if (consumer === undefined) return ZERO;
      const changes: StateChange[] = [{ key: consumerKey(stream!.topic, groupName, consumerName), value: null }];
      for (const key of consumer.pending.keys())
        changes.push({ key: pendingKey(stream!.topic, groupName, key), value: null });
      const pending = group!.deleteConsumer(consumerName);
      return afterWrites([ks.persist(changes)], integer(pending));
    }
    return subcommandError(args, 'XGROUP');
  }

  /** The stream and group of XACK/XPENDING/XCLAIM/XAUTOCLAIM, or the reply when there is none. */
  function streamGroup(args: readonly Buffer[]): { stream: StreamLog; group: ConsumerGroup } | null | Reply {
    const found = ks.lookup(args[1]!);
    if (found === 'wrongtype') return WRONGTYPE;
    const group = found?.groups.get(name(args[2]!));
    return found === null || group === undefined ? null : { stream: found, group };
  }

  function xack(args: readonly Buffer[]): Reply | Promise<Reply> {
    const sg = streamGroup(args);
    if (sg === null) return ZERO;
    if ('kind' in sg) return sg;
    const ids: StreamId[] = [];
    for (let j = 3; j < args.length; j++) {
      const parsed = parseId(args[j]!, { strict: true });
      if (parsed === null) return error(INVALID_ID_ERROR);
      ids.push(parsed.id);
    }
    const changes: StateChange[] = [];
    for (const id of ids) {
      const key = formatId(id);
      if (sg.group.removePending(key))
        changes.push({ key: pendingKey(sg.stream.topic, sg.group.name, key), value: null });
    }
    if (changes.length === 0) return ZERO;
    return afterWrites([ks.persist(changes)], integer(changes.length));
  }

  function xpending(args: readonly Buffer[], ctx: CommandContext): Reply {
    const argc = args.length;
    if (argc !== 3 && (argc < 6 || argc > 9)) return SYNTAX_ERROR;
    let minIdle = 0n;
    let count = 0n;
    let from: StreamId | null = null;
    let to: StreamId | null = null;
    let consumerName: string | null = null;
    if (argc >= 6) {
      let startIdx = 3;
      if (isOption(args[3], 'IDLE')) {
        const idle = parseInteger(args[4]!);
        if (idle === null) return NOT_INTEGER;
        minIdle = idle;
        if (argc < 8) return SYNTAX_ERROR;
        startIdx += 2;
      }
      const c = parseInteger(args[startIdx + 2]!);
      if (c === null) return NOT_INTEGER;
      count = c < 0n ? 0n : c;
      const start = parseIntervalId(args[startIdx]!, 0n);
      if (start === null) return error(INVALID_ID_ERROR);
      from = start.exclusive ? incrementId(start.id) : start.id;
      if (from === null) return error('ERR invalid start ID for the interval');
      const end = parseIntervalId(args[startIdx + 1]!, U64_MAX);
      if (end === null) return error(INVALID_ID_ERROR);
      to = end.exclusive ? decrementId(end.id) : end.id;
      if (to === null) return error('ERR invalid end ID for the interval');
      if (startIdx + 3 < argc) consumerName = name(args[startIdx + 3]!);
    }
    const sg = streamGroup(args);
    if (sg === null) return noGroup(args[1]!, args[2]!);
    if ('kind' in sg) return sg;
    const { group } = sg;
    if (argc === 3) {
      if (group.pendingCount === 0) return array([integer(0), NULL_BULK, NULL_BULK, NULL_ARRAY]);
      const consumers = group
        .sortedConsumers()
        .filter((c) => c.pending.size > 0)
        .map((c) => array([bulk(Buffer.from(c.name, 'latin1')), bulk(String(c.pending.size))]));
      return array([
        integer(group.pendingCount),
        idReply(group.firstPending()!.id),
        idReply(group.lastPending()!.id),
        array(consumers),
      ]);
    }
    let consumer: Consumer | null = null;
    if (consumerName !== null) {
      consumer = group.consumers.get(consumerName) ?? null;
      if (consumer === null) return array([]);
    }
    const now = ctx.server.now();
    const source: Iterable<PendingEntry> =
      consumer === null ? group.pendingFrom(from!) : group.consumerPendingFrom(consumer, from!);
    const out: Reply[] = [];
    for (const p of source) {
      if (count <= 0n || compareIds(p.id, to!) > 0) break;
      if (minIdle !== 0n && BigInt(now - p.deliveryTime) < minIdle) continue;
      count--;
      out.push(
        array([
          idReply(p.id),
          bulk(Buffer.from(p.consumer.name, 'latin1')),
          integer(Math.max(0, now - p.deliveryTime)),
          integer(p.deliveryCount),
        ]),
      );
    }
    return array(out);
  }

  /** The claiming consumer, created if needed (a new one is persisted with the claim). */
  function claimant(
    stream: StreamLog,
    group: ConsumerGroup,
    consumerName: string,
    now: number,
    changes: StateChange[],
  ): Consumer {
    return group.touchConsumer(consumerName, now, (c) => changes.push(consumerChange(stream.topic, group.name, c)));
  }

  function xclaim(args: readonly Buffer[], ctx: CommandContext): Reply | Promise<Reply> {
    const sg = streamGroup(args);
    if (sg === null) return noGroup(args[1]!, args[2]!);
    if ('kind' in sg) return sg;
    const { stream, group } = sg;
    const idle = parseInteger(args[4]!);
    if (idle === null) return error('ERR Invalid min-idle-time argument for XCLAIM');
    const minIdle = idle < 0n ? 0n : idle;
    const ids: StreamId[] = [];
    let j = 5;
    for (; j < args.length; j++) {
      const parsed = parseId(args[j]!, { strict: true });
      if (parsed === null) break;
      ids.push(parsed.id);
    }
    const now = ctx.server.now();
    let retryCount = -1n;
    let deliveryTime = -1n;
    let force = false;
    let justId = false;
    let lastId: StreamId = { ms: 0n, seq: 0n };
    for (; j < args.length; j++) {
      const more = args.length - 1 - j;
      const opt = args[j]!;
      if (isOption(opt, 'FORCE')) force = true;
      else if (isOption(opt, 'JUSTID')) justId = true;
      else if (isOption(opt, 'IDLE') && more > 0) {
        const v = parseInteger(args[++j]!);
        if (v === null) return error('ERR Invalid IDLE option argument for XCLAIM');
        deliveryTime = BigInt(now) - v;
      } else if (isOption(opt, 'TIME') && more > 0) {
        const v = parseInteger(args[++j]!);
        if (v === null) return error('ERR Invalid TIME option argument for XCLAIM');
        deliveryTime = v;
      } else if (isOption(opt, 'RETRYCOUNT') && more > 0) {
        const v = parseInteger(args[++j]!);
        if (v === null) return error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
        retryCount = v;
      } else if (isOption(opt, 'LASTID') && more > 0) {
        const parsed = parseId(args[++j]!, { strict: true });
        if (parsed === null) return error(INVALID_ID_ERROR);
        lastId = parsed.id;
      } else return error(`ERR Unrecognized XCLAIM option '${printable(opt)}'`);
    }
    const changes: StateChange[] = [];
    if (compareIds(lastId, group.lastId) > 0) {
      group.lastId = lastId;
      changes.push(groupChange(stream.topic, group));
    }
    const time = deliveryTime === -1n || deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime);
    let consumer: Consumer | null = null;
    const claimed: { id: StreamId; offset: number }[] = [];
    for (const id of ids) {
      const key = formatId(id);
      let pending = group.pending(key);
      const offset = stream.offsetOf(id);
      if (offset < 0 || !stream.isLive(offset)) {
        if (pending !== undefined) {
          group.removePending(key);
          changes.push({ key: pendingKey(stream.topic, group.name, key), value: null });
        }
        continue;
      }
      let fresh = false;
      if (force && pending === undefined) fresh = true;
      if (pending === undefined && !fresh) continue;
      if (!fresh && minIdle !== 0n && BigInt(now - pending!.deliveryTime) < minIdle) continue;
      consumer ??= claimant(stream, group, name(args[3]!), now, changes);
      const count = retryCount >= 0n ? Number(retryCount) : (fresh ? 1 : pending!.deliveryCount) + (justId ? 0 : 1);
      pending = group.setPending(id, consumer, time, count);
      changes.push(pendingChange(stream.topic, group.name, pending));
      claimed.push({ id, offset });
    }
    return afterWrites([ks.persist(changes)], claimedReply(stream, claimed, justId));
  }

  function xautoclaim(args: readonly Buffer[], ctx: CommandContext): Reply | Promise<Reply> {
    const idle = parseInteger(args[4]!);
    if (idle === null) return error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    const minIdle = idle < 0n ? 0n : idle;
    const start = parseIntervalId(args[5]!, 0n);
    if (start === null) return error(INVALID_ID_ERROR);
    const from = start.exclusive ? incrementId(start.id) : start.id;
    if (from === null) return error('ERR invalid start ID for the interval');
    let count = 100;
    let justId = false;
    for (let j = 6; j < args.length; j++) {
      const more = args.length - 1 - j;
      if (isOption(args[j], 'COUNT') && more > 0) {
        const c = parseInteger(args[j + 1]!);
        if (c === null || c < 1n || c > 2n ** 63n / 16n) return error('ERR COUNT must be > 0');
        count = Number(c);
        j++;
      } else if (isOption(args[j], 'JUSTID')) justId = true;
      else return SYNTAX_ERROR;
    }
    const sg = streamGroup(args);
    if (sg === null) return noGroup(args[1]!, args[2]!);
    if ('kind' in sg) return sg;
    const { stream, group } = sg;
    const now = ctx.server.now();
    let attempts = count * 10;
    const changes: StateChange[] = [];
    const claimed: { id: StreamId; offset: number }[] = [];
    const deleted: StreamId[] = [];
    let consumer: Consumer | null = null;
    const iterator = [...group.pendingFrom(from)];
    let i = 0;
    while (attempts-- > 0 && count > 0 && i < iterator.length) {
      const pending = iterator[i++]!;
      const offset = stream.offsetOf(pending.id);
      if (offset < 0 || !stream.isLive(offset)) {
        group.removePending(pending.key);
        changes.push({ key: pendingKey(stream.topic, group.name, pending.key), value: null });
        deleted.push(pending.id);
        count--;
        continue;
      }
      if (minIdle !== 0n && BigInt(now - pending.deliveryTime) < minIdle) continue;
      consumer ??= claimant(stream, group, name(args[3]!), now, changes);
      group.setPending(pending.id, consumer, now, pending.deliveryCount + (justId ? 0 : 1));
      changes.push(pendingChange(stream.topic, group.name, pending));
      claimed.push({ id: pending.id, offset });
      count--;
    }
    const cursor = i < iterator.length ? iterator[i]!.id : { ms: 0n, seq: 0n };
    const reply = array([idReply(cursor), claimedReply(stream, claimed, justId), array(deleted.map(idReply))]);
    return afterWrites([ks.persist(changes)], reply);
  }

  function claimedReply(stream: StreamLog, claimed: { id: StreamId; offset: number }[], justId: boolean): Reply {
    if (justId) return array(claimed.map((c) => idReply(c.id)));
    const byOffset = stream.fieldsByOffset(
      ks.store,
      claimed.map((c) => c.offset),
    );
    return array(claimed.map((c) => entryReply(c.id, byOffset.get(c.offset) ?? null)));
  }

  return [
    containerSpec(
      'xgroup',
      -2,
      [],
      Object.fromEntries(Object.entries(XGROUP_ARITY).map(([sub, arity]) => [sub, { arity, handler: xgroup }])),
    ),
    spec('xack', -4, ['write', 'fast'], xack),
    spec('xpending', -3, ['readonly'], xpending),
    spec('xclaim', -6, ['write', 'fast'], xclaim),
    spec('xautoclaim', -6, ['write', 'fast'], xautoclaim),
  ];
}
