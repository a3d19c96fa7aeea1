import { describe, expect, it } from 'vitest';
import { isRedisUrl, parseRedisUrl, RedisUrlError, redactUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('reads the single-server forms with their defaults', () => {
    expect(parseRedisUrl('redis://localhost')).toEqual({
      kind: 'redis',
      tls: false,
      host: 'localhost',
      port: 6379,
      username: undefined,
      password: undefined,
      db: 0,
    });
    expect(parseRedisUrl('rediss://alice:s%40cr%3At@cache.example:6380/3')).toEqual({
      kind: 'redis',
      tls: true,
      host: 'cache.example',
      port: 6380,
      username: 'alice',
      password: 's@cr:t',
      db: 3,
    });
    expect(parseRedisUrl('redis://:pw@[::1]:7000')).toMatchObject({ host: '::1', port: 7000, password: 'pw' });
    // A lone userinfo is a password, as redis-cli -u and most clients read it.
    expect(parseRedisUrl('redis://secret@h')).toMatchObject({ username: undefined, password: 'secret' });
    expect(parseRedisUrl('REDIS://h:1/')).toMatchObject({ host: 'h', port: 1, db: 0 });
  });

  it('reads a cluster as its seed nodes', () => {
    expect(parseRedisUrl('redis-cluster://u:p@10.0.0.1:7000,10.0.0.2,10.0.0.3:7002')).toEqual({
      kind: 'cluster',
      tls: false,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '10.0.0.3', port: 7002 },
      ],
      username: 'u',
      password: 'p',
    });
    expect(parseRedisUrl('rediss-cluster://h:1')).toMatchObject({ kind: 'cluster', tls: true });
  });

  it.each([
    ['http://h:1', /expected redis:\/\//],
    ['redis:/h', /expected/],
    ['redis://h:0', /port 0 is out of range/],
    ['redis://h:70000', /port 70000 is out of range/],
    ['redis://h:1/x', /database "x" is not a number/],
    ['redis://h:1,g:2', /several hosts need redis-cluster/],
    ['redis-cluster://h:1/2', /only database 0/],
    ['redis://h:1?db=2', /query parameters/],
    ['redis://h:port', /"h:port" is not host\[:port\]/],
    ['redis://u:%zz@h', /percent-encoding/],
  ])('refuses %s', (text, message) => {
    expect(() => parseRedisUrl(text)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(text)).toThrow(message);
  });

  it('never shows the password in an error', () => {
    expect(() => parseRedisUrl('redis://bob:hunter2@h:1/x')).toThrow('redis://bob:***@h:1/x');
    expect(redactUrl('redis://hunter2@h')).toBe('redis://***@h');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
  });

  it('tells a connection string from a path', () => {
    expect(isRedisUrl('redis://h')).toBe(true);
    expect(isRedisUrl('redis-cluster://h:1')).toBe(true);
    expect(isRedisUrl('./redis://x')).toBe(false);
    expect(isRedisUrl('store.json')).toBe(false);
    expect(isRedisUrl('redis:store')).toBe(false);
  });
});
