import type { CommandSpec } from '../command-spec.js';
import { error, integer, type Reply } from '../reply.js';
import { type Keyspace, spec } from './keyspace.js';
import { ERR, INT64_MAX, INT64_MIN, invalidExpire, option, parseInt64 } from './redis-args.js';
import { storedExpiry } from './expiry-args.js';
import { text } from './values.js';

const ONE_KEY = [1, 1, 1] as const;

/** EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX/XX/GT/LT), TTL PTTL EXPIRETIME PEXPIRETIME, PERSIST. */
export function expireCommands(ks: Keyspace): CommandSpec[] {
  const store = ks.store;

  // Redis's expireGenericCommand: options, then the time, then its overflow checks, then the key.
  const expire =
    (command: string, seconds: boolean, relative: boolean) =>
    (args: readonly Buffer[]): Reply | Promise<Reply> => {
      let nx = false;
      let xx = false;
      let gt = false;
      let lt = false;
      for (let j = 3; j < args.length; j++) {
        const opt = option(args[j]);
        if (opt === 'nx') nx = true;
        else if (opt === 'xx') xx = true;
        else if (opt === 'gt') gt = true;
        else if (opt === 'lt') lt = true;
        else return error(`ERR Unsupported option ${args[j]!.toString('utf8')}`);
      }
      if (nx && (xx || gt || lt)) return ERR.expireNx;
      if (gt && lt) return ERR.expireGtLt;
      const n = parseInt64(args[2]!);
      if (n === null) return ERR.notInteger;
      let when = BigInt(n);
      if (seconds) {
        if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return invalidExpire(command);
        when *= 1000n;
      }
      const base = relative ? BigInt(store.now()) : 0n;
      if (when > INT64_MAX - base) return invalidExpire(command);
      when += base;
      if (ks.isStream(args[1]!)) return ERR.streamExpiry;
      const key = text(args[1]!);
      return store.write((tx) => {
        const old = tx.get(key);
        if (old === undefined) return integer(0);
        const current = old.expiresAt;
        if (nx && current !== null) return integer(0);
        if (xx && current === null) return integer(0);
        if (gt && (current === null || when <= BigInt(current))) return integer(0);
        if (lt && current !== null && when >= BigInt(current)) return integer(0);
        if (when <= BigInt(tx.now)) {
          tx.del(key);
          return integer(1);
        }
        tx.set(key, old.value, storedExpiry(when));
        return integer(1);
      });
    };

  // Redis's ttlGenericCommand: -2 no key, -1 no expiry, else the time left (or the absolute time), seconds rounded.
  const ttl =
    (ms: boolean, absolute: boolean) =>
    (args: readonly Buffer[]): Reply | Promise<Reply> => {
      if (ks.isStream(args[1]!)) return integer(-1);
      const key = text(args[1]!);
      return store.read((tx) => {
        const e = tx.get(key);
        if (e === undefined) return integer(-2);
        if (e.expiresAt === null) return integer(-1);
        const left = Math.max(0, absolute ? e.expiresAt : e.expiresAt - tx.now);
        return integer(ms ? left : Math.floor((left + 500) / 1000));
      });
    };

  const persist = (args: readonly Buffer[]): Reply | Promise<Reply> => {
    if (ks.isStream(args[1]!)) return integer(0);
    const key = text(args[1]!);
    return store.write((tx) => {
      const e = tx.get(key);
      if (e === undefined || e.expiresAt === null) return integer(0);
      tx.set(key, e.value, null);
      return integer(1);
    });
  };

  const write = ['write', 'fast'];
  const read = ['readonly', 'fast'];
  return [
    spec('expire', -3, write, ONE_KEY, expire('expire', true, true)),
    spec('pexpire', -3, write, ONE_KEY, expire('pexpire', false, true)),
    spec('expireat', -3, write, ONE_KEY, expire('expireat', true, false)),
    spec('pexpireat', -3, write, ONE_KEY, expire('pexpireat', false, false)),
    spec('ttl', 2, read, ONE_KEY, ttl(false, false)),
    spec('pttl', 2, read, ONE_KEY, ttl(true, false)),
    spec('expiretime', 2, read, ONE_KEY, ttl(false, true)),
    spec('pexpiretime', 2, read, ONE_KEY, ttl(true, true)),
    spec('persist', 2, write, ONE_KEY, persist),
  ];
}
