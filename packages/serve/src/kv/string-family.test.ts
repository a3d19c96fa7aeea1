import { openKv } from '@esc/kv';
import { afterEach, describe, expect, it } from 'vitest';
import { kvHarness, plain } from './test-helpers/kv-harness.js';

type Harness = Awaited<ReturnType<typeof kvHarness>>;
let h: Harness;
const open: Harness[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.cleanup();
});
async function harness(...args: Parameters<typeof kvHarness>) {
  h = await kvHarness(...args);
  open.push(h);
  return h;
}
const run = async (...args: (string | Buffer)[]) => plain(await h.run(...args));
const WRONGTYPE = '!WRONGTYPE Operation against a key holding the wrong kind of value';

describe('string family: one keyspace with the stream keys', () => {
  it('answers WRONGTYPE for string commands on a stream key, and SET overwrites it', async () => {
    await harness();
    h.streams.add('s');
    for (const cmd of [
      ['get', 's'],
      ['getdel', 's'],
      ['append', 's', 'x'],
      ['incr', 's'],
      ['strlen', 's'],
      ['set', 's', 'v', 'get'],
    ])
      expect(await run(...cmd)).toBe(WRONGTYPE);
    expect(await run('type', 's')).toBe('stream');
    expect(await run('mget', 's', 'nokey')).toEqual([null, null]);
    expect(await run('set', 's', 'v', 'nx')).toBe(null);
    expect(await run('msetnx', 's', 'v')).toBe(0);
    expect(await run('set', 's', 'v')).toBe('OK');
    expect(await run('type', 's')).toBe('string');
    expect(h.streams.size()).toBe(0);
  });

  it('counts, lists, deletes and flushes stream keys with the string keys', async () => {
    await harness();
    h.streams.add('s1');
    h.streams.add('s2');
    await run('mset', 'a', '1', 'b', '2');
    expect(await run('dbsize')).toBe(4);
    expect(await run('exists', 'a', 's1', 'a', 'zz')).toBe(3);
    expect(await run('keys', '*')).toEqual(['a', 'b', 's1', 's2']);
    expect(await run('keys', 's*')).toEqual(['s1', 's2']);
    expect(await run('scan', '0', 'type', 'stream', 'count', '100')).toEqual([
      '0',
      expect.arrayContaining(['s1', 's2']),
    ]);
    expect(await run('del', 'a', 's1', 's1', 'zz')).toBe(2);
    expect(await run('dbsize')).toBe(2);
    expect(await run('flushdb')).toBe('OK');
    expect(await run('dbsize')).toBe(0);
    expect(h.streams.size()).toBe(0);
  });

  it('lets the stream family see string keys through its KeyspaceView', async () => {
    await harness();
    await run('set', 'k', 'v');
    expect(h.keyspace.has(Buffer.from('k'))).toBe(true);
    expect([...h.keyspace.keys()].map(String)).toEqual(['k']);
    expect(h.keyspace.size()).toBe(1);
    expect(await h.keyspace.delete(Buffer.from('k'))).toBe(true);
    expect(await run('exists', 'k')).toBe(0);
  });
});

describe('string family: values', () => {
  it('keeps binary values and keys byte for byte, and esc kv reads them back', async () => {
    await harness();
    const key = Buffer.from([0x6b, 0xff, 0x00]);
    const value = Buffer.from([0x00, 0x80, 0xc3, 0xa9, 0xfe]);
    await h.run('set', key, value);
    const got = await h.run('get', key);
    expect(got).toEqual({ kind: 'bulk', value });
    expect(await run('strlen', key)).toBe(5);
    expect(await run('append', key, Buffer.from([0xa9]))).toBe(6);
    const kv = await openKv(h.path);
    expect(await kv.get('k\udcff\u0000')).toBe('\u0000\udc80é\udcfe\udca9');
    await kv.close();
  });

  it('MSET reads keys and values in place as SET reads its Buffers: binary, long, empty, over a stream key', async () => {
    await harness();
    h.streams.add('s');
    const pairs: [Buffer, Buffer][] = [
      [Buffer.from('key:000000012345'), Buffer.from('xxx')],
      [Buffer.from([0x6b, 0xff, 0x00]), Buffer.from([0x00, 0x80, 0xc3, 0xa9, 0xfe])],
      [Buffer.from('k'.repeat(65)), Buffer.from('é'.repeat(40))],
      [Buffer.from('empty'), Buffer.alloc(0)],
      [Buffer.from('s'), Buffer.from('was a stream')],
    ];
    expect(await run('mset', ...pairs.flat())).toBe('OK');
    expect(h.streams.size()).toBe(0);
    const viaSet = await kvHarness();
    open.push(viaSet);
    for (const [k, v] of pairs) await viaSet.run('set', k, v);
    for (const [k, v] of pairs) {
      const got = await h.run('get', k);
      expect(got.kind === 'bulk' && Buffer.from(got.value ?? 'null')).toEqual(v);
      expect(await h.store.get(k.toString('latin1'))).toEqual(await viaSet.store.get(k.toString('latin1')));
    }
    expect([...h.store.liveKeys()].sort()).toEqual([...viaSet.store.liveKeys()].sort());
    expect(await run('msetnx', 'new', '1', ...pairs[1]!)).toBe(0);
    expect(await run('exists', 'new')).toBe(0);
    expect(await run('mset', 'odd')).toBe("!ERR wrong number of arguments for 'mset' command");
    expect(await run('mset', 'a', '1', 'b')).toBe("!ERR wrong number of arguments for 'mset' command");
  });

  it('counts and adds 64-bit integers as Redis does', async () => {
    await harness();
    expect(await h.run('incrby', 'n', '9223372036854775806')).toEqual({ kind: 'integer', value: 9223372036854775806n });
    const r = await h.run('incr', 'n');
    expect(r).toEqual({ kind: 'integer', value: 9223372036854775807n });
    expect(await run('incr', 'n')).toBe('!ERR increment or decrement would overflow');
    expect(await run('decrby', 'n', '-9223372036854775808')).toBe('!ERR decrement would overflow');
    expect(await run('set', 'z', '-0')).toBe('OK');
    expect(await run('incr', 'z')).toBe('!ERR value is not an integer or out of range');
    expect(await run('incrby', 'z', '01')).toBe('!ERR value is not an integer or out of range');
  });

  it('writes INFO keyspace and persistence fields', async () => {
    await harness();
    await run('set', 'a', '1', 'ex', '100');
    await run('set', 'b', '1');
    h.streams.add('s');
    expect(h.family.info?.('keyspace')).toEqual([['db0', expect.stringMatching(/^keys=3,expires=1,avg_ttl=\d+$/)]]);
    const p = Object.fromEntries(h.family.info?.('persistence') ?? []);
    expect(p.kv_sync).toBe('batch');
    expect(p.kv_changes_written).toBe(2);
  });
});
