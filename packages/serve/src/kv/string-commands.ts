import { kvStringByteLength, bytesToKvString, kvStringToBytes, isWellFormedKvString } from '@esc/kv';
import type { CommandSpec } from '../command-spec.js';
import { array, integer, NULL_BULK, OK, type Reply } from '../reply.js';
import { inPlaceSpec, type Keyspace, spec } from './keyspace.js';
import { addInt64, ERR, option, parseInt64, wrongArity } from './redis-args.js';
import { parseExpiry, type Expiry } from './expiry-args.js';
import { change } from './change.js';
import { text, textAt, valueReply } from './values.js';
import type { ParsedCommand } from '../parsed-command.js';
import type { AckedReply } from '../acked-reply.js';

const ONE_KEY = [1, 1, 1] as const;

/** GET SET GETDEL GETEX MGET MSET MSETNX APPEND STRLEN INCR INCRBY DECR DECRBY. */
export function stringCommands(ks: Keyspace): CommandSpec[] {
  const store = ks.store;

  const get = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    const key = text(args[1]!);
    if (ks.isStream(args[1]!, key)) return ERR.wrongType;
    const entry = store.get(key);
    return entry instanceof Promise ? entry.then((e) => valueReply(e?.value)) : valueReply(entry?.value);
  };

  const set = (args: readonly Buffer[]): Reply | Promise<Reply> | AckedReply => {
    // Redis's parseExtendedStringArgumentsOrReply: options in any order, a repeated one allowed, conflicts refused.
    let nx = false;
    let xx = false;
    let withGet = false;
    let keepttl = false;
    let expiry: { unit: string; arg: Buffer } | null = null;
    for (let j = 3; j < args.length; j++) {
      const opt = option(args[j]);
      const next = j + 1 < args.length ? args[j + 1] : undefined;
      if (opt === 'nx' && !xx) nx = true;
      else if (opt === 'xx' && !nx) xx = true;
      else if (opt === 'get') withGet = true;
      else if (opt === 'keepttl' && expiry === null) keepttl = true;
      else if (
        (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat') &&
        !keepttl &&
        (expiry === null || expiry.unit === opt) &&
        next
      ) {
        expiry = { unit: opt, arg: next };
        j++;
      } else return ERR.syntax;
    }
    let at: Expiry = null;
    if (expiry) {
      const parsed = parseExpiry(expiry.unit, expiry.arg, store.now(), 'set');
      if ('kind' in parsed) return parsed;
      at = parsed.at;
    }
    const keyBuf = args[1]!;
    const key = text(keyBuf);
    const isStream = ks.isStream(keyBuf, key);
    if (isStream && withGet) return ERR.wrongType;
    const value = text(args[2]!);
    const apply = () =>
      change(store, (tx): Reply => {
        const old = tx.get(key);
        const exists = old !== undefined || isStream;
        if ((nx && exists) || (xx && !exists)) return withGet ? valueReply(old?.value) : NULL_BULK;
        tx.set(key, value, keepttl ? (old?.expiresAt ?? null) : at);
        return withGet ? valueReply(old?.value) : OK;
      });
    if (isStream && !nx) return ks.deleteStreams([keyBuf]).then(apply);
    return apply();
  };

  const getdel = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (ks.isStream(args[1]!)) return ERR.wrongType;
    const key = text(args[1]!);
    return store.write((tx) => {
      const old = tx.get(key);
      if (old === undefined) return NULL_BULK;
      tx.del(key);
      return valueReply(old.value);
    });
  };

  const getex = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    let persist = false;
    let expiry: { unit: string; arg: Buffer } | null = null;
    for (let j = 2; j < args.length; j++) {
      const opt = option(args[j]);
      const next = j + 1 < args.length ? args[j + 1] : undefined;
      if (opt === 'persist' && expiry === null) persist = true;
      else if (
        (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat') &&
        !persist &&
        (expiry === null || expiry.unit === opt) &&
        next
      ) {
        expiry = { unit: opt, arg: next };
        j++;
      } else return ERR.syntax;
    }
    // Redis's getexCommand: options, then the key (missing: nil; wrong type), then the time's value.
    if (ks.isStream(args[1]!)) return ERR.wrongType;
    const key = text(args[1]!);
    if (!persist && expiry === null) return store.read((tx) => valueReply(tx.get(key)?.value));
    const unit = expiry?.unit ?? '';
    const arg = expiry?.arg;
    return store.write((tx) => {
      const old = tx.get(key);
      if (old === undefined) return NULL_BULK;
      if (persist) {
        if (old.expiresAt !== null) tx.set(key, old.value, null);
      } else {
        const parsed = parseExpiry(unit, arg!, tx.now, 'getex');
        if ('kind' in parsed) return parsed;
        tx.set(key, old.value, parsed.at);
      }
      return valueReply(old.value);
    });
  };

  const mget = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    const keys = args.slice(1).map((k) => (ks.isStream(k) ? null : text(k)));
    return store.read((tx) => array(keys.map((k) => (k === null ? NULL_BULK : valueReply(tx.get(k)?.value)))));
  };

  /** MSET and MSETNX, reading the keys and values where the parser found them (MSET's cost is per key). */
  const msetGeneric = (command: ParsedCommand, onlyNew: boolean): Reply | Promise<Reply> | AckedReply => {
    const n = command.length;
    if (n % 2 === 0) return wrongArity(onlyNew ? 'msetnx' : 'mset');
    // Keys and values as the store's strings, flat (key, value, key, …).
    const strings: string[] = new Array(n - 1);
    const streams = ks.streams.size() > 0;
    let streamKeys: Buffer[] | null = null;
    for (let i = 1; i < n; i += 2) {
      const key = textAt(command, i);
      strings[i - 1] = key;
      strings[i] = textAt(command, i + 1);
      if (streams) {
        const keyBuf = command.arg(i);
        if (ks.isStream(keyBuf, key)) (streamKeys ??= []).push(keyBuf);
      }
    }
    if (onlyNew && streamKeys !== null) return integer(0);
    const apply = () =>
      change(store, (tx): Reply => {
        if (onlyNew)
          for (let i = 0; i < strings.length; i += 2) if (tx.get(strings[i]!) !== undefined) return integer(0);
        for (let i = 0; i < strings.length; i += 2) tx.set(strings[i]!, strings[i + 1]!, null);
        return onlyNew ? integer(1) : OK;
      });
    if (streamKeys !== null) return ks.deleteStreams(streamKeys).then(apply);
    return apply();
  };

  const append = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (ks.isStream(args[1]!)) return ERR.wrongType;
    const key = text(args[1]!);
    const more = text(args[2]!);
    return store.write((tx) => {
      const old = tx.get(key);
      let value = old === undefined ? more : old.value + more;
      // Stray bytes at the seam may now form a character: keep the stored form canonical.
      if (old !== undefined && !(isWellFormedKvString(old.value) && isWellFormedKvString(more)))
        value = bytesToKvString(Buffer.concat([kvStringToBytes(old.value), kvStringToBytes(more)]));
      tx.set(key, value, old?.expiresAt ?? null);
      return integer(kvStringByteLength(value));
    });
  };

  const strlen = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (ks.isStream(args[1]!)) return ERR.wrongType;
    const key = text(args[1]!);
    return store.read((tx) => {
      const v = tx.get(key)?.value;
      return integer(v === undefined ? 0 : kvStringByteLength(v));
    });
  };

  const incrBy = (keyBuf: Buffer, by: number | bigint): Reply | Promise<Reply> | AckedReply => {
    const key = text(keyBuf);
    if (ks.isStream(keyBuf, key)) return ERR.wrongType;
    return change(store, (tx) => {
      const old = tx.get(key);
      const current = old === undefined ? 0 : parseInt64(old.value);
      if (current === null) return ERR.notInteger;
      const next = addInt64(current, by);
      if (next === null) return ERR.overflow;
      tx.set(key, String(next), old?.expiresAt ?? null);
      return integer(next);
    });
  };

  const incrbyArg = (args: readonly Buffer[], negate: boolean): Reply | Promise<Reply> | AckedReply => {
    const by = parseInt64(args[2]!);
    if (by === null) return ERR.notInteger;
    if (!negate) return incrBy(args[1]!, by);
    if (by === INT64_MIN_BIG) return ERR.decrOverflow;
    return incrBy(args[1]!, typeof by === 'number' ? -by : -by);
  };

  return [
    spec('get', 2, ['readonly', 'fast'], ONE_KEY, get),
    spec('set', -3, ['write', 'denyoom'], ONE_KEY, set),
    spec('getdel', 2, ['write', 'fast'], ONE_KEY, getdel),
    spec('getex', -2, ['write', 'fast'], ONE_KEY, getex),
    spec('mget', -2, ['readonly', 'fast'], [1, -1, 1], mget),
    inPlaceSpec('mset', -3, ['write', 'denyoom'], [1, -1, 2], (command) => msetGeneric(command, false)),
    inPlaceSpec('msetnx', -3, ['write', 'denyoom'], [1, -1, 2], (command) => msetGeneric(command, true)),
    spec('append', 3, ['write', 'denyoom', 'fast'], ONE_KEY, append),
    spec('strlen', 2, ['readonly', 'fast'], ONE_KEY, strlen),
    spec('incr', 2, ['write', 'denyoom', 'fast'], ONE_KEY, (args) => incrBy(args[1]!, 1)),
    spec('decr', 2, ['write', 'denyoom', 'fast'], ONE_KEY, (args) => incrBy(args[1]!, -1)),
    spec('incrby', 3, ['write', 'denyoom', 'fast'], ONE_KEY, (args) => incrbyArg(args, false)),
    spec('decrby', 3, ['write', 'denyoom', 'fast'], ONE_KEY, (args) => incrbyArg(args, true)),
  ];
}

const INT64_MIN_BIG = -(2n ** 63n);
