import { ExitCode } from '@esc/core';
import { openKv, type KeyValueStore } from '@esc/kv';
import { exitCodeFor, nameCommandInError } from '../error-reporter.js';
import { emit, emitLines, type GlobalOptions, printInt, storePath, valueOut, warn } from './kv-output.js';

/** A read-only `esc kv` subcommand: its answer from an open store, as an exit status. */
type ReadAction = (store: KeyValueStore, g: GlobalOptions, args: string[]) => Promise<number>;

interface KvRead {
  /** `<key>` (exactly one) or `<keys...>` (one or more). */
  takes: 'key' | 'keys';
  run: ReadAction;
}

/**
 * The read-only subcommands, shared by their commander definitions (kv.ts) and by the plain-argument path below.
 */
export const KV_READS = {
  get: {
    takes: 'key',
    run: async (store, g, [key]) => {
      const value = await store.get(key!);
      if (g.json) return emit({ key, value }, value !== null);
      return value === null ? ExitCode.NotFound : emitLines([valueOut(value)]);
    },
  },
  ttl: { takes: 'key', run: async (store, g, [key]) => printInt(g, 'ttl', await store.ttl(key!), true) },
  pttl: { takes: 'key', run: async (store, g, [key]) => printInt(g, 'pttl', await store.pttl(key!), true) },
  exists: {
    takes: 'keys',
    run: async (store, g, keys) => {
      const n = await store.exists(keys);
      return printInt(g, 'exists', n, n > 0);
    },
  },
  mget: {
    takes: 'keys',
    run: async (store, g, keys) => {
      const values = await store.mget(keys);
      return g.json ? emit(values, true) : emitLines(values.map((v) => valueOut(v ?? '')));
    },
  },
} satisfies Record<string, KvRead>;

type KvReadName = keyof typeof KV_READS;

/** Opens the store, runs one subcommand's action and always closes the store (waiting for durability). */
export async function withKvStore<T>(g: GlobalOptions, fn: (store: KeyValueStore) => Promise<T>): Promise<T> {
  const store = await openKv(storePath(g), { onWarning: warn });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Start-up time: `esc kv get KEY` and the other reads, in their plain shapes, run here without loading commander
 * (its chunk, its construction and the node:child_process it requires were most of a get's start-up beyond
 * `node -e 0`). Plain means: `--store PATH`, `--store=PATH` and `--json`, each at most once, before the
 * subcommand, then its keys, none of them starting with `-`. Returns null for anything else (help, other
 * options, `--`, a wrong number of keys), which main hands to commander, so output, errors and exit codes
 * are commander's own; the e2e tests run every case both ways.
 */
export async function runPlainKvRead(argv: readonly string[]): Promise<number | null> {
  const g: GlobalOptions = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' && g.json === undefined) g.json = true;
    else if (a === '--store' && g.store === undefined && i + 1 < argv.length) g.store = argv[++i];
    else if (a.startsWith('--store=') && g.store === undefined) g.store = a.slice('--store='.length);
    else break;
  }
  if (g.store !== undefined && (g.store === '' || g.store.startsWith('-'))) return null;
  const name = argv[i];
  if (name === undefined || !Object.hasOwn(KV_READS, name)) return null;
  const read: KvRead = KV_READS[name as KvReadName];
  const args = argv.slice(i + 1);
  if (args.length === 0 || (read.takes === 'key' && args.length > 1) || args.some((a) => a.startsWith('-'))) {
    return null;
  }
  try {
    return await withKvStore(g, (store) => read.run(store, g, args));
  } catch (err) {
    return exitCodeFor(nameCommandInError(err, `kv ${name}`));
  }
}
