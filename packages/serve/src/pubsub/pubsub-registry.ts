import { compileRedisGlob } from '@esc/kv';
import type { Client } from '../client.js';
import { bulk, type Reply } from '../reply.js';

interface PatternSubscribers {
  readonly pattern: Buffer;
  readonly matches: (channel: string) => boolean;
  readonly subscribers: Set<Client>;
}

const MESSAGE = bulk('message');
const PMESSAGE = bulk('pmessage');

/**
 * Who listens to what, server-wide. Channels and patterns are kept as latin1 strings (one char per byte, so
 * binary names stay exact); deliveries are fire and forget, as Redis's: a message reaches whoever is subscribed
 * when it is published, and nobody else, ever.
 */
export class PubSubRegistry {
  private readonly channels = new Map<string, Set<Client>>();
  private readonly patterns = new Map<string, PatternSubscribers>();

  /** True when the client was not subscribed yet. */
  subscribe(conn: Client, channel: string): boolean {
    if (conn.channels.has(channel)) return false;
    conn.channels.add(channel);
    let set = this.channels.get(channel);
    if (set === undefined) this.channels.set(channel, (set = new Set()));
    set.add(conn);
    return true;
  }

  unsubscribe(conn: Client, channel: string): boolean {
    if (!conn.channels.delete(channel)) return false;
    const set = this.channels.get(channel);
    set?.delete(conn);
    if (set?.size === 0) this.channels.delete(channel);
    return true;
  }

  psubscribe(conn: Client, pattern: string): boolean {
    if (conn.patterns.has(pattern)) return false;
    conn.patterns.add(pattern);
    let entry = this.patterns.get(pattern);
    if (entry === undefined) {
      entry = {
        pattern: Buffer.from(pattern, 'latin1'),
        matches: compileRedisGlob(pattern),
        subscribers: new Set(),
      };
      this.patterns.set(pattern, entry);
    }
    entry.subscribers.add(conn);
    return true;
  }

  punsubscribe(conn: Client, pattern: string): boolean {
    if (!conn.patterns.delete(pattern)) return false;
    const entry = this.patterns.get(pattern);
    entry?.subscribers.delete(conn);
    if (entry?.subscribers.size === 0) this.patterns.delete(pattern);
    return true;
  }

  unsubscribeAll(conn: Client): void {
    for (const channel of [...conn.channels]) this.unsubscribe(conn, channel);
    for (const pattern of [...conn.patterns]) this.punsubscribe(conn, pattern);
  }

  /** Delivers to channel and pattern subscribers; the number of deliveries, as PUBLISH answers. */
  publish(channel: Buffer, message: Buffer): number {
    const name = channel.toString('latin1');
    let receivers = 0;
    const direct = this.channels.get(name);
    if (direct !== undefined) {
      const reply: Reply = { kind: 'push', items: [MESSAGE, bulk(channel), bulk(message)] };
      for (const conn of direct) {
        conn.push(reply);
        receivers++;
      }
    }
    for (const entry of this.patterns.values()) {
      if (!entry.matches(name)) continue;
      const reply: Reply = { kind: 'push', items: [PMESSAGE, bulk(entry.pattern), bulk(channel), bulk(message)] };
      for (const conn of entry.subscribers) {
        conn.push(reply);
        receivers++;
      }
    }
    return receivers;
  }

  /** Channels with at least one subscriber, those matching `pattern` if given. */
  activeChannels(pattern: string | null): string[] {
    const matches = pattern === null ? null : compileRedisGlob(pattern);
    return [...this.channels.keys()].filter((c) => matches === null || matches(c));
  }

  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  get channelCount(): number {
    return this.channels.size;
  }
}
