import type { StateChange } from '@esc/streams';
import { Consumer, ConsumerGroup, type PendingEntry } from './consumer-group.js';
import { compareIds, formatId, parseId, type StreamId } from './stream-id.js';
import type { StreamLog } from './stream-log.js';

/**
 * What of a stream is not in its topic, kept in the internal compacted topic STATE_TOPIC, one record per fact
 * (docs/streams.md, "Redis Streams"):
 *
 *   s|<topic>                        {"start":N,"maxDeleted":"ms-seq"}     log start (XTRIM) and XDEL's high mark
 *   d|<topic>|<offset>               ""                                   an XDEL'd entry (tombstoned when trimmed)
 *   g|<topic>|<group hex>            {"last":"ms-seq","read":N}          a group's last-delivered ID, entries-read
 *   c|<topic>|<group>|<consumer hex> {"seen":ms}                          a consumer
 *   p|<topic>|<group>|<ms-seq>       {"c":"<consumer hex>","t":ms,"n":N} a pending entry
 *
 * Names are hex so any bytes fit; a null value (tombstone) deletes the fact.
 */
export const STATE_TOPIC = '__redis_streams';

const hex = (name: string): string => Buffer.from(name, 'latin1').toString('hex');
const unhex = (h: string): string => Buffer.from(h, 'hex').toString('latin1');

export const metaKey = (topic: string): string => `s|${topic}`;
export const deletedKey = (topic: string, offset: number): string => `d|${topic}|${offset}`;
const groupKey = (topic: string, group: string): string => `g|${topic}|${hex(group)}`;
export const consumerKey = (topic: string, group: string, consumer: string): string =>
  `c|${topic}|${hex(group)}|${hex(consumer)}`;
export const pendingKey = (topic: string, group: string, id: string): string => `p|${topic}|${hex(group)}|${id}`;

export function metaChange(stream: StreamLog): StateChange {
  return {
    key: metaKey(stream.topic),
    value: JSON.stringify({ start: stream.start, maxDeleted: formatId(stream.maxDeletedId) }),
  };
}

export function groupChange(topic: string, group: ConsumerGroup): StateChange {
  return {
    key: groupKey(topic, group.name),
    value: JSON.stringify({ last: formatId(group.lastId), read: group.entriesRead }),
  };
}

export function consumerChange(topic: string, group: string, consumer: Consumer): StateChange {
  return { key: consumerKey(topic, group, consumer.name), value: JSON.stringify({ seen: consumer.seenTime }) };
}

export function pendingChange(topic: string, group: string, entry: PendingEntry): StateChange {
  return {
    key: pendingKey(topic, group, entry.key),
    value: JSON.stringify({ c: hex(entry.consumer.name), t: entry.deliveryTime, n: entry.deliveryCount }),
  };
}

/** Tombstones for every fact of a group (XGROUP DESTROY, or the stream deleted). */
export function groupTombstones(topic: string, group: ConsumerGroup): StateChange[] {
  const out: StateChange[] = [{ key: groupKey(topic, group.name), value: null }];
  for (const c of group.consumers.values()) out.push({ key: consumerKey(topic, group.name, c.name), value: null });
  for (const p of group.pendingFrom({ ms: 0n, seq: 0n }))
    out.push({ key: pendingKey(topic, group.name, p.key), value: null });
  return out;
}

/** The persisted facts of one topic, grouped at start-up so each stream restores from its own list. */
export type TopicFacts = [key: string, value: Buffer][];

export function factsByTopic(table: Map<string, Buffer>): Map<string, TopicFacts> {
  const out = new Map<string, TopicFacts>();
  for (const [key, value] of table) {
    const topic = key.split('|', 2)[1];
    if (topic === undefined) continue;
    let list = out.get(topic);
    if (list === undefined) out.set(topic, (list = []));
    list.push([key, value]);
  }
  return out;
}

/** The log start and XDEL'd offsets from the facts, before the topic's records are read. */
export function restoreLogState(facts: TopicFacts): { start: number; maxDeleted: StreamId; deleted: Set<number> } {
  let start = 0;
  let maxDeleted: StreamId = { ms: 0n, seq: 0n };
  const deleted = new Set<number>();
  for (const [key, value] of facts) {
    if (key.startsWith('s|')) {
      const meta = JSON.parse(value.toString()) as { start: number; maxDeleted: string };
      start = meta.start;
      maxDeleted = parseId(meta.maxDeleted)?.id ?? maxDeleted;
    } else if (key.startsWith('d|')) deleted.add(Number(key.slice(key.lastIndexOf('|') + 1)));
  }
  return { start, maxDeleted, deleted: new Set([...deleted].filter((d) => d >= start)) };
}

/** Rebuilds the groups (with consumers and PELs) of a stream from its facts. */
export function restoreGroups(stream: StreamLog, facts: TopicFacts): void {
  const parts = (key: string) => key.split('|');
  for (const [key, value] of facts)
    if (key.startsWith('g|')) {
      const v = JSON.parse(value.toString()) as { last: string; read: number };
      const name = unhex(parts(key)[2]!);
      stream.groups.set(name, new ConsumerGroup(name, parseId(v.last)?.id ?? { ms: 0n, seq: 0n }, v.read));
    }
  const consumerOf = (group: ConsumerGroup, name: string, seen: number): Consumer => {
    let c = group.consumers.get(name);
    if (c === undefined) group.consumers.set(name, (c = new Consumer(name, seen)));
    return c;
  };
  for (const [key, value] of facts)
    if (key.startsWith('c|')) {
      const [, , g, c] = parts(key);
      const group = stream.groups.get(unhex(g!));
      if (group !== undefined) consumerOf(group, unhex(c!), (JSON.parse(value.toString()) as { seen: number }).seen);
    }
  const pel = facts
    .filter(([key]) => key.startsWith('p|'))
    .map(([key, value]) => ({ p: parts(key), v: JSON.parse(value.toString()) as { c: string; t: number; n: number } }))
    .map(({ p, v }) => ({ group: unhex(p[2]!), id: parseId(p[3]!)!.id, v }))
    .sort((a, b) => compareIds(a.id, b.id));
  for (const { group: g, id, v } of pel) {
    const group = stream.groups.get(g);
    if (group === undefined) continue;
    group.setPending(id, consumerOf(group, unhex(v.c), v.t), v.t, v.n);
  }
}
