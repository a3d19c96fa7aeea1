import type { LiveKvStore } from '@esc/kv';
import type { CommandSpec, CommandHandler, InPlaceHandler, KeyspaceView } from '../command-spec.js';
import { ParsedCommand } from '../parsed-command.js';
import { keyBytes, text } from './values.js';

/**
 * Redis has one keyspace: the string keys live in the kv store, the stream keys in the stream family, which
 * this sees through its KeyspaceView (a key is never both: SET deletes a stream it overwrites, and XADD on a
 * string answers WRONGTYPE in the stream family).
 */
export class Keyspace {
  constructor(
    readonly store: LiveKvStore,
    private readonly streamsView: () => KeyspaceView,
  ) {}

  private found: KeyspaceView | null = null;

  /** The stream family's keys (looked up until found: families are built one after another). */
  get streams(): KeyspaceView {
    if (this.found) return this.found;
    const view = this.streamsView();
    if (view !== NO_KEYS) this.found = view;
    return view;
  }

  /**
   * Whether `key` is a stream's. A live string key is not (the types never share a key), which the store
   * answers from memory, cheaper than the stream family's lookup (it escapes the key into a topic name); pass
   * the key's text when it is at hand.
   */
  isStream(key: Buffer, keyText?: string): boolean {
    const streams = this.streams;
    if (streams.size() === 0) return false;
    if (keyText !== undefined && this.store.peek(keyText) !== undefined) return false;
    return streams.has(key);
  }

  /** Deletes the stream keys among `keys` (each once); how many there were. */
  async deleteStreams(keys: readonly Buffer[]): Promise<number> {
    if (this.streams.size() === 0) return 0;
    const seen = new Set<string>();
    let n = 0;
    for (const k of keys) {
      const id = k.toString('latin1');
      if (seen.has(id) || !this.streams.has(k)) continue;
      seen.add(id);
      if (await this.streams.delete(k)) n++;
    }
    return n;
  }

  /** Every key of either type, as the stored string, with its type. */
  *allKeys(): IterableIterator<[string, 'string' | 'stream']> {
    for (const k of this.store.liveKeys()) yield [k, 'string'];
    for (const k of this.streams.keys()) yield [text(k), 'stream'];
  }

  /** The string keys as the other families see them. */
  view(): KeyspaceView {
    const store = this.store;
    return {
      typeName: 'string',
      has: (key) => store.peek(text(key)) !== undefined,
      *keys() {
        for (const k of store.liveKeys()) yield keyBytes(k);
      },
      size: () => store.counts().keys,
      delete: async (key) => Boolean(await store.write((tx) => tx.del(text(key)))),
      clear: async () => {
        await store.write((tx) => tx.clear());
      },
    };
  }
}

/** A family that has no keys (no stream family given): DEL and friends see only strings. */
export const NO_KEYS: KeyspaceView = {
  typeName: 'none',
  has: () => false,
  keys: () => [],
  size: () => 0,
  delete: async () => false,
  clear: async () => undefined,
};

/** A CommandSpec with Redis's fields in `COMMAND INFO` order. */
export function spec(
  name: string,
  arity: number,
  flags: readonly string[],
  keys: readonly [number, number, number],
  handler: CommandHandler,
): CommandSpec {
  return { name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], handler };
}

/** A CommandSpec whose handler reads its arguments in place; `handler` takes them as Buffers through it. */
export function inPlaceSpec(
  name: string,
  arity: number,
  flags: readonly string[],
  keys: readonly [number, number, number],
  inPlace: InPlaceHandler,
): CommandSpec {
  const handler: CommandHandler = (args, ctx) => {
    const command = new ParsedCommand();
    command.resetViews(args);
    return inPlace(command, ctx);
  };
  return { ...spec(name, arity, flags, keys, handler), inPlace };
}
