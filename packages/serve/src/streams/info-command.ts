import type { CommandContext, CommandSpec } from '../command-spec.js';
import { array, bulk, error, integer, NULL_BULK, type Reply } from '../reply.js';
import type { ConsumerGroup } from './consumer-group.js';
import { containerSpec } from '../subcommands.js';
import { entriesReply } from './entry-commands.js';
import { subcommandError } from './group-commands.js';
import type { StreamKeyspace } from './stream-keyspace.js';
import type { StreamLog } from './stream-log.js';
import { entryReply, idReply, isOption, parseInteger, printable, WRONGTYPE, NOT_INTEGER } from './stream-replies.js';

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

const XINFO_ARITY: Record<string, number> = { stream: -3, groups: 3, consumers: 4, help: 2 };

const map = (pairs: [string, Reply][]): Reply => ({ kind: 'map', entries: pairs.map(([k, v]) => [bulk(k), v]) });
const nameReply = (name: string): Reply => bulk(Buffer.from(name, 'latin1'));

/** XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS, with Redis 7.0's fields. */
export function infoCommand(ks: StreamKeyspace): CommandSpec {
  function xinfo(args: readonly Buffer[], ctx: CommandContext): Reply {
    const sub = args[1]!.toString('latin1').toLowerCase();
    if (sub === 'help') return array(XINFO_HELP.map((l) => ({ kind: 'simple', value: l })));
    const key = args[2]!;
    const stream = ks.lookup(key);
    if (stream === 'wrongtype') return WRONGTYPE;
    if (stream === null) return error('ERR no such key');
    const now = ctx.server.now();
    if (sub === 'consumers') {
      const group = stream.groups.get(args[3]!.toString('latin1'));
      if (group === undefined)
        return error(`NOGROUP No such consumer group '${printable(args[3]!)}' for key name '${printable(key)}'`);
      return array(
        group.sortedConsumers().map((c) =>
          map([
            ['name', nameReply(c.name)],
            ['pending', integer(c.pending.size)],
            ['idle', integer(Math.max(0, now - c.seenTime))],
          ]),
        ),
      );
    }
    if (sub === 'groups')
      return array(
        sortedGroups(stream).map((g) =>
          map([
            ['name', nameReply(g.name)],
            ['consumers', integer(g.consumers.size)],
            ['pending', integer(g.pendingCount)],
            ['last-delivered-id', idReply(g.lastId)],
            ['entries-read', g.entriesRead === -1 ? NULL_BULK : integer(g.entriesRead)],
            ['lag', lagReply(stream, g)],
          ]),
        ),
      );
    const rest = args.slice(3);
    let count = 10;
    if (rest.length > 0) {
      if (!isOption(rest[0], 'FULL')) return subcommandError(args, 'XINFO');
      if (rest.length === 3 && isOption(rest[1], 'COUNT')) {
        const n = parseInteger(rest[2]!);
        if (n === null) return NOT_INTEGER;
        count = n < 0n ? 10 : Number(n > 2n ** 53n ? 2n ** 53n : n);
      } else if (rest.length !== 1) return subcommandError(args, 'XINFO');
    }
    const head: [string, Reply][] = [
      ['length', integer(stream.length)],
      ['radix-tree-keys', integer(stream.nodeCount)],
      ['radix-tree-nodes', integer(stream.radixTreeNodes())],
      ['last-generated-id', idReply(stream.lastId)],
      ['max-deleted-entry-id', idReply(stream.maxDeletedId)],
      ['entries-added', integer(stream.entriesAdded)],
      ['recorded-first-entry-id', idReply(stream.firstId())],
    ];
    if (rest.length === 0) {
      const first = stream.firstLive();
      const last = stream.lastLive();
      const edge = (o: number): Reply => {
        if (o < 0) return NULL_BULK;
        const [fields] = stream.readFields(ks.store, [o]);
        return entryReply(stream.idAt(o), fields ?? null);
      };
      return map([
        ...head,
        ['groups', integer(stream.groups.size)],
        ['first-entry', edge(first)],
        ['last-entry', edge(last)],
      ]);
    }
    const limit = count === 0 ? Number.MAX_SAFE_INTEGER : count;
    const offsets = stream.rangeOffsets({ ms: 0n, seq: 0n }, { ms: 2n ** 64n - 1n, seq: 2n ** 64n - 1n }, count, false);
    const groups = sortedGroups(stream).map((g) => {
      const pel = [...take(g.pendingFrom({ ms: 0n, seq: 0n }), limit)].map((p) =>
        array([idReply(p.id), nameReply(p.consumer.name), integer(p.deliveryTime), integer(p.deliveryCount)]),
      );
      const consumers = g.sortedConsumers().map((c) =>
        map([
          ['name', nameReply(c.name)],
          ['seen-time', integer(c.seenTime)],
          ['pel-count', integer(c.pending.size)],
          [
            'pending',
            array(
              g
                .consumerPendingFrom(c, { ms: 0n, seq: 0n })
                .slice(0, limit)
                .map((p) => array([idReply(p.id), integer(p.deliveryTime), integer(p.deliveryCount)])),
            ),
          ],
        ]),
      );
      return map([
        ['name', nameReply(g.name)],
        ['last-delivered-id', idReply(g.lastId)],
        ['entries-read', g.entriesRead === -1 ? NULL_BULK : integer(g.entriesRead)],
        ['lag', lagReply(stream, g)],
        ['pel-count', integer(g.pendingCount)],
        ['pending', array(pel)],
        ['consumers', array(consumers)],
      ]);
    });
    return map([...head, ['entries', entriesReply(ks, stream, offsets)], ['groups', array(groups)]]);
  }
  return containerSpec(
    'xinfo',
    -2,
    [],
    Object.fromEntries(Object.entries(XINFO_ARITY).map(([sub, arity]) => [sub, { arity, handler: xinfo }])),
  );
}

function lagReply(stream: StreamLog, group: ConsumerGroup): Reply {
  const lag = stream.lag(group);
  return lag === null ? NULL_BULK : integer(lag);
}

/** Groups in Redis's order (its rax sorts the names' bytes). */
function sortedGroups(stream: StreamLog): ConsumerGroup[] {
  return [...stream.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}
