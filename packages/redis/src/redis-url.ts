import { UsageError } from '@esc/core';

/** Where esc's state lives when it is not on this machine's disk: one Redis server, or a Redis Cluster. */
export type RedisUrl =
  | {
      readonly kind: 'redis';
      readonly tls: boolean;
      readonly host: string;
      readonly port: number;
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly db: number;
    }
  | {
      readonly kind: 'cluster';
      readonly tls: boolean;
      /** The seed nodes; the client discovers the rest of the cluster from any one of them. */
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username: string | undefined;
      readonly password: string | undefined;
    };

/** A connection string that is not one of the documented forms (docs/scale-out.md). */
export class RedisUrlError extends UsageError {
  constructor(url: string, why: string) {
    super(`bad connection string ${redactUrl(url)}: ${why}`);
  }
}

const SCHEMES = ['redis:', 'rediss:', 'redis-cluster:', 'rediss-cluster:'] as const;
const DEFAULT_PORT = 6379;

/** True when `text` names a Redis backend rather than a local path: callers route on this. */
export function isRedisUrl(text: string): boolean {
  const colon = text.indexOf(':');
  return (
    colon > 0 &&
    (SCHEMES as readonly string[]).includes(text.slice(0, colon + 1).toLowerCase()) &&
    text.slice(colon + 1, colon + 3) === '//'
  );
}

/**
 * Parses `redis://[user:pass@]host[:port][/db]`, `rediss://…` (TLS), `redis-cluster://[user:pass@]host:port[,host:port…]`
 * and `rediss-cluster://…`. User and password are percent-decoded (a password may hold `@` or `:` written as
 * %40 / %3A); the port defaults to 6379 and the database to 0. A cluster has only database 0, so a `/db` there is
 * refused, as are query parameters (none are defined: silently ignoring one would hide a typo).
 */
export function parseRedisUrl(text: string): RedisUrl {
  if (!isRedisUrl(text)) throw new RedisUrlError(text, `expected ${SCHEMES.map((s) => `${s}//`).join(', ')}`);
  const colon = text.indexOf(':');
  const scheme = text.slice(0, colon).toLowerCase();
  const tls = scheme.startsWith('rediss');
  let rest = text.slice(colon + 3);
  if (/[?#]/.test(rest)) throw new RedisUrlError(text, 'query parameters and fragments are not supported');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const sep = userinfo.indexOf(':');
    const user = sep < 0 ? userinfo : userinfo.slice(0, sep);
    username = user === '' ? undefined : decode(text, user);
    password = sep < 0 ? undefined : decode(text, userinfo.slice(sep + 1));
    // `redis://secret@host` is how many clients spell a password alone (Redis before ACLs had no user names).
    if (sep < 0) {
      password = username;
      username = undefined;
    }
  }
  const slash = rest.indexOf('/');
  const hostPart = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (scheme.endsWith('-cluster')) {
    if (path !== '') throw new RedisUrlError(text, 'a Redis Cluster has only database 0: drop the /db');
    const nodes = hostPart.split(',').map((node) => hostPort(text, node));
    return { kind: 'cluster', tls, nodes, username, password };
  }
  if (hostPart.includes(',')) throw new RedisUrlError(text, 'several hosts need redis-cluster://');
  let db = 0;
  if (path !== '') {
    if (!/^\d{1,5}$/.test(path)) throw new RedisUrlError(text, `database "${path}" is not a number`);
    db = Number(path);
  }
  const { host, port } = hostPort(text, hostPart);
  return { kind: 'redis', tls, host, port, username, password, db };
}

function hostPort(url: string, text: string): { host: string; port: number } {
  // [::1]:6379, host:6379, host
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (match === null) throw new RedisUrlError(url, `"${text}" is not host[:port]`);
  const host = match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!;
  const port = match[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (port < 1 || port > 65535) throw new RedisUrlError(url, `port ${port} is out of range`);
  return { host, port };
}

function decode(url: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError(url, 'bad percent-encoding in the user or password');
  }
}

/** The connection string with its password hidden, for messages and logs. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-zA-Z-]+:\/\/)([^@/]*)@/, (_all, scheme: string, userinfo: string) => {
    const sep = userinfo.indexOf(':');
    return sep < 0 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, sep)}:***@`;
  });
}
