import { compileRedisGlob } from '@esc/kv';
import type { CommandSpec } from '../command-spec.js';
import { array, bulk, integer, OK, simple, type Reply } from '../reply.js';
import { type Keyspace, spec } from './keyspace.js';
import { ERR, option, parseInt64 } from './redis-args.js';
import { keyBytes, text } from './values.js';

/** DEL UNLINK EXISTS TYPE KEYS SCAN RENAME DBSIZE FLUSHDB FLUSHALL: over string and stream keys alike. */
export function keyCommands(ks: Keyspace): CommandSpec[] {
  const store = ks.store;

  const del = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    const keys = args.slice(1);
    const strings = keys.map(text);
    const dropStrings = () =>
      store.write((tx) => {
        let n = 0;
        for (const k of strings) if (tx.del(k)) n++;
        return n;
      });
    if (ks.streams.size() === 0) {
      const n = dropStrings();
      return typeof n === 'number' ? integer(n) : n.then(integer);
    }
    return ks.deleteStreams(keys).then(async (streams) => integer(streams + (await dropStrings())));
  };

  const exists = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    const keys = args.slice(1);
    return store.read((tx) => {
      let n = 0;
      for (const k of keys) if (ks.isStream(k) || tx.get(text(k)) !== undefined) n++;
      return integer(n);
    });
  };

  const type = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (ks.isStream(args[1]!)) return simple('stream');
    const key = text(args[1]!);
    return store.read((tx) => simple(tx.get(key) === undefined ? 'none' : 'string'));
  };

  const keysCommand = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    const pattern = text(args[1]!);
    const match = pattern === '*' ? null : compileRedisGlob(pattern);
    return store.read(() => {
      const out: string[] = [];
      for (const [k] of ks.allKeys()) if (match === null || match(k)) out.push(k);
      return array(out.sort().map((k) => bulk(keyBytes(k))));
    });
  };

  const scan = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    const cursor = parseCursor(args[1]!);
    if (cursor === null) return ERR.invalidCursor;
    let count = 10;
    let pattern: string | null = null;
    let typeName: string | null = null;
    for (let i = 2; i < args.length; i += 2) {
      const opt = option(args[i]);
      const left = args.length - i;
      if (opt === 'count' && left >= 2) {
        const n = parseInt64(args[i + 1]!);
        if (n === null) return ERR.notInteger;
        if (n < 1) return ERR.syntax;
        count = Number(n);
      } else if (opt === 'match' && left >= 2) pattern = text(args[i + 1]!);
      else if (opt === 'type' && left >= 2) typeName = option(args[i + 1]);
      else return ERR.syntax;
    }
    const match = pattern === null || pattern === '*' ? null : compileRedisGlob(pattern);
    return store.read(() => {
      // The cursor is a 32-bit hash of the key: keys are visited in hash order, so a key present for the whole
      // iteration is returned exactly once whatever is added or removed meanwhile (Redis's guarantee).
      const ahead: [number, string, string][] = [];
      for (const [k, t] of ks.allKeys()) {
        const h = keyHash(k);
        if (h >= cursor) ahead.push([h, k, t]);
      }
      ahead.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
      let end = Math.min(count, ahead.length);
      while (end < ahead.length && ahead[end]![0] === ahead[end - 1]![0]) end++; // never split one hash
      const page = ahead.slice(0, end);
      const next = end >= ahead.length ? 0 : page[page.length - 1]![0] + 1;
      const out = page.filter(([, k, t]) => (match === null || match(k)) && (typeName === null || typeName === t));
      return array([bulk(String(next)), array(out.map(([, k]) => bulk(keyBytes(k))))]);
    });
  };

  const rename = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (ks.isStream(args[1]!)) return ERR.streamRename;
    const from = text(args[1]!);
    const to = text(args[2]!);
    const apply = () =>
      store.write((tx) => {
        const e = tx.get(from);
        if (e === undefined) return ERR.noSuchKey;
        if (from === to) return OK;
        tx.set(to, e.value, e.expiresAt);
        tx.del(from);
        return OK;
      });
    if (ks.isStream(args[2]!) && store.peek(from) !== undefined) return ks.deleteStreams([args[2]!]).then(apply);
    return apply();
  };

  const dbsize = (): Reply | Promise<Reply> => store.read(() => integer(store.counts().keys + ks.streams.size()));

  const flush = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (args.length > 2 || (args.length === 2 && !['async', 'sync'].includes(option(args[1])))) return ERR.syntax;
    const dropStrings = () => store.write((tx) => tx.clear());
    const done = ks.streams.size() > 0 ? ks.streams.clear().then(dropStrings) : dropStrings();
    return done instanceof Promise ? done.then(() => OK) : OK;
  };

  return [
    spec('del', -2, ['write'], [1, -1, 1], del),
    spec('unlink', -2, ['write', 'fast'], [1, -1, 1], del),
    spec('exists', -2, ['readonly', 'fast'], [1, -1, 1], exists),
    spec('type', 2, ['readonly', 'fast'], [1, 1, 1], type),
    spec('keys', 2, ['readonly'], [0, 0, 0], keysCommand),
    spec('scan', -2, ['readonly'], [0, 0, 0], scan),
    spec('rename', 3, ['write'], [1, 2, 1], rename),
    spec('dbsize', 1, ['readonly', 'fast'], [0, 0, 0], dbsize),
    spec('flushdb', -1, ['write'], [0, 0, 0], flush),
    spec('flushall', -1, ['write'], [0, 0, 0], flush),
  ];
}

/** Redis's cursor syntax (strtoul: digits, a sign allowed, no spaces, at most 2^64-1); null when invalid. */
function parseCursor(arg: Buffer): number | null {
  const s = arg.toString('latin1');
  if (!/^[+-]?\d+$/.test(s)) return null;
  const n = BigInt(s.replace(/^\+/, ''));
  if (n > 2n ** 64n - 1n || n < -(2n ** 64n - 1n)) return null;
  // A negative cursor wraps (strtoul) to a huge one: past every hash.
  return n < 0n ? 2 ** 33 : Number(n > 2n ** 33n ? 2n ** 33n : n);
}

/** FNV-1a over the key's UTF-16 units, 32 bits. */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
