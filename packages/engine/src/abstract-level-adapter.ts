import { existsSync, readdirSync } from 'node:fs';
import { AbstractIterator, AbstractLevel } from 'abstract-level';
import type { AbstractDatabaseOptions, AbstractIteratorOptions } from 'abstract-level';
import type { Config } from './config.js';
import { EngineLockedError } from './dir-lock.js';
import { open, type Engine } from './engine.js';
import type { EngineIterator, RangeOptions } from './engine-iterator.js';
import type { Bytes } from './key-compare.js';

/** What abstract-level hands the private API: keys and values already encoded to one of these formats. */
type Format = 'utf8' | 'buffer' | 'view';
type Encoded = string | Uint8Array;

interface PrivateRange {
  gt?: Encoded;
  gte?: Encoded;
  lt?: Encoded;
  lte?: Encoded;
  reverse: boolean;
  limit: number;
}

interface PrivateIteratorOptions extends PrivateRange {
  keys: boolean;
  values: boolean;
  keyEncoding: Format;
  valueEncoding: Format;
}

interface PrivateOp {
  type: 'put' | 'del';
  key: Encoded;
  value?: Encoded;
}

export interface EscLevelOptions<K, V> extends AbstractDatabaseOptions<K, V> {
  /** Engine settings (memtable size, sync mode, …) passed to `open()`. */
  config?: Partial<Config>;
}

/**
 * The engine behind the Level ecosystem's `abstract-level` interface, so level-* modules (sublevels,
 * encodings, hooks, streams) run on it and abstract-level's own test suite can judge it.
 *
 * The private API receives keys and values already encoded as strings or bytes; the engine stores bytes and
 * returns Buffers, so the only work here is turning results back into the format asked for.
 */
export class EscLevel<K = string, V = string> extends AbstractLevel<Encoded, K, V> {
  readonly location: string;
  private readonly config: Partial<Config>;
  private engine: Engine | undefined;

  constructor(location: string, options: EscLevelOptions<K, V> = {}) {
    const { config, ...levelOptions } = options;
    super(
      {
        encodings: { buffer: true, utf8: true, view: true },
        // Engine iterators read from a snapshot taken when they are created; seek() restarts the scan
        // on the live state (see EscIterator._seek), which the manifest cannot express, so it says no.
        implicitSnapshots: false,
        explicitSnapshots: false,
        has: true,
        seek: true,
        createIfMissing: true,
        errorIfExists: true,
        permanence: true,
        additionalMethods: {},
      },
      levelOptions,
    );
    this.location = location;
    this.config = config ?? {};
  }

  /** The open engine, for callers that want its stats or compaction next to the Level API. */
  get escEngine(): Engine {
    if (!this.engine) throw new Error('database is not open');
    return this.engine;
  }

  async _open(options: { createIfMissing: boolean; errorIfExists: boolean }): Promise<void> {
    const exists = existsSync(this.location) && readdirSync(this.location).length > 0;
    if (!exists && !options.createIfMissing)
      throw new Error(`${this.location} does not exist (createIfMissing is false)`);
    if (exists && options.errorIfExists) throw new Error(`${this.location} exists (errorIfExists is true)`);
    try {
      this.engine = await open(this.location, this.config);
    } catch (err) {
      // The Level convention for "another process owns this directory" is the LEVEL_LOCKED code.
      if (err instanceof EngineLockedError)
        throw Object.assign(new Error(err.message, { cause: err }), { code: 'LEVEL_LOCKED' });
      throw err;
    }
  }

  async _close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.close();
  }

  async _get(key: Encoded, options: { valueEncoding: Format }): Promise<Encoded | undefined> {
    const value = await this.escEngine.get(key);
    return value === undefined ? undefined : decodeAs(value, options.valueEncoding);
  }

  async _getMany(keys: Encoded[], options: { valueEncoding: Format }): Promise<(Encoded | undefined)[]> {
    const engine = this.escEngine;
    const values = await Promise.all(keys.map((key) => engine.get(key)));
    return values.map((value) => (value === undefined ? undefined : decodeAs(value, options.valueEncoding)));
  }

  async _has(key: Encoded): Promise<boolean> {
    return (await this.escEngine.get(key)) !== undefined;
  }

  async _hasMany(keys: Encoded[]): Promise<boolean[]> {
    const engine = this.escEngine;
    return Promise.all(keys.map(async (key) => (await engine.get(key)) !== undefined));
  }

  async _put(key: Encoded, value: Encoded, options: { sync?: boolean }): Promise<void> {
    await this.escEngine.put(key, value, syncOption(options));
  }

  async _del(key: Encoded, options: { sync?: boolean }): Promise<void> {
    await this.escEngine.del(key, syncOption(options));
  }

  async _batch(operations: PrivateOp[], options: { sync?: boolean }): Promise<void> {
    const ops = operations.map((op) =>
      op.type === 'put'
        ? { type: 'put' as const, key: op.key, value: op.value ?? '' }
        : { type: 'del' as const, key: op.key },
    );
    await this.escEngine.batch(ops, syncOption(options));
  }

  async _clear(options: PrivateRange): Promise<void> {
    // Deleting through a snapshot iterator means writes made after clear() started are left alone.
    const it = this.escEngine.iterator(engineRange(options));
    try {
      let pending: { type: 'del'; key: Bytes }[] = [];
      for await (const [key] of it) {
        pending.push({ type: 'del', key });
        if (pending.length >= 1000) {
          await this.escEngine.batch(pending);
          pending = [];
        }
      }
      if (pending.length > 0) await this.escEngine.batch(pending);
    } finally {
      await it.close();
    }
  }

  _iterator(options: PrivateIteratorOptions): EscIterator<K, V> {
    return new EscIterator(this, options, this.escEngine);
  }
}

/**
 * An abstract-level iterator over an engine iterator. abstract-level itself enforces `limit` and counts
 * entries, so the engine scan is unbounded except by the range.
 */
class EscIterator<K, V> extends AbstractIterator<EscLevel<K, V>, K, V> {
  private scan: EngineIterator;
  private readonly range: RangeOptions;
  private readonly options: PrivateIteratorOptions;
  // A scan replaced by seek() closes in the background; the next read or close waits for it.
  private retiring: Promise<void> = Promise.resolve();

  constructor(
    db: EscLevel<K, V>,
    options: PrivateIteratorOptions,
    private readonly engine: Engine,
  ) {
    super(db, options as unknown as AbstractIteratorOptions<K, V>);
    this.options = options;
    this.range = engineRange(options);
    this.scan = engine.iterator(this.range);
  }

  async _next(): Promise<[Encoded | undefined, Encoded | undefined] | undefined> {
    await this.retiring;
    const step = await this.scan.next();
    return step.done ? undefined : this.decode(step.value);
  }

  private decode([key, value]: [Buffer, Buffer]): [Encoded | undefined, Encoded | undefined] {
    return [
      this.options.keys ? decodeAs(key, this.options.keyEncoding) : undefined,
      this.options.values ? decodeAs(value, this.options.valueEncoding) : undefined,
    ];
  }

  async _nextv(size: number): Promise<[Encoded | undefined, Encoded | undefined][]> {
    await this.retiring;
    const entries: [Encoded | undefined, Encoded | undefined][] = [];
    // The engine's iterator can step synchronously; a batch of entries then costs one promise, not one each.
    const scan = this.scan;
    while (entries.length < size) {
      const entry = scan.nextSync();
      if (entry === undefined) break;
      entries.push(this.decode(entry));
    }
    return entries;
  }

  async _all(): Promise<[Encoded | undefined, Encoded | undefined][]> {
    return this._nextv(Infinity);
  }

  /**
   * The engine iterator has no seek, so seeking starts a new scan from the target, narrowed to the
   * original range. The new scan sees the database as it is now, not as it was when the iterator was made.
   */
  _seek(target: Encoded): void {
    const previous = this.scan;
    const t = toBuffer(target);
    const range: RangeOptions = { ...this.range };
    if (this.range.reverse) {
      const upper = range.lte ?? range.lt;
      if (upper === undefined || Buffer.compare(t, toBuffer(upper)) < 0) {
        delete range.lt;
        range.lte = t;
      }
    } else {
      const lower = range.gte ?? range.gt;
      if (lower === undefined || Buffer.compare(t, toBuffer(lower)) > 0) {
        delete range.gt;
        range.gte = t;
      }
    }
    this.scan = this.engine.iterator(range);
    this.retiring = this.retiring.then(() => previous.close());
  }

  async _close(): Promise<void> {
    await this.retiring;
    await this.scan.close();
  }
}

function engineRange(options: PrivateRange): RangeOptions {
  const range: RangeOptions = { reverse: options.reverse };
  // Level's rule when both bounds of a side are given: gte beats gt, lte beats lt. Pass only the winner.
  if (options.gte !== undefined) range.gte = options.gte;
  else if (options.gt !== undefined) range.gt = options.gt;
  if (options.lte !== undefined) range.lte = options.lte;
  else if (options.lt !== undefined) range.lt = options.lt;
  if (options.limit >= 0) range.limit = options.limit;
  return range;
}

function syncOption(options: { sync?: boolean }): { sync?: boolean } | undefined {
  return options.sync === undefined ? undefined : { sync: options.sync };
}

function decodeAs(data: Buffer, format: Format): Encoded {
  return format === 'utf8' ? data.toString('utf8') : data;
}

function toBuffer(data: Encoded): Buffer {
  return typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
