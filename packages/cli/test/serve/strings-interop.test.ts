// esc serve and the one-process-per-command `esc kv` CLI on the same store at the same time: each sees what the
// other wrote as soon as the write was acknowledged (the client's reply, the CLI's exit).
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESC_BIN, kv, runBytes } from '../run-esc.js';
import { type RunningServer, startEscServe } from './serve-harness.js';

let esc: RunningServer;
let c: Redis;
let store: string;
beforeAll(async () => {
  esc = await startEscServe();
  store = join(esc.dir, 'kv.json');
  c = new Redis({ port: esc.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
});
afterAll(async () => {
  c?.disconnect();
  await esc?.stop();
});

describe('esc serve with esc kv on the same store', () => {
  it('a client GET sees what esc kv set wrote, right after it exited', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await kv(store, ['set', 'from-cli', `v${i}`, '--ex', '100']);
      expect(r.code).toBe(0);
      expect(await c.get('from-cli')).toBe(`v${i}`);
      expect(await c.ttl('from-cli')).toBeGreaterThan(98);
    }
    expect((await kv(store, ['delete', 'from-cli'])).stdout).toBe('1\n');
    expect(await c.exists('from-cli')).toBe(0);
  });

  it('esc kv get sees what a client SET, right after the reply', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await c.set('from-client', `w${i}`)).toBe('OK');
      const r = await kv(store, ['get', 'from-client']);
      expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: `w${i}\n` });
    }
    const expiredAt = Date.now();
    await c.expire('from-client', 500);
    // 500 less the whole seconds an esc start took (one on a loaded machine can take more than one), less one
    // for the rounding.
    const ttl = Number((await kv(store, ['ttl', 'from-client'])).stdout);
    expect(ttl).toBeGreaterThanOrEqual(500 - Math.ceil((Date.now() - expiredAt) / 1000) - 1);
    expect(ttl).toBeLessThanOrEqual(500);
    await c.del('from-client');
    expect((await kv(store, ['get', 'from-client'])).code).toBe(1);
  });

  it('binary values pass both ways unchanged', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x41, 0xc3, 0x0a, 0x80]);
    await c.set('bin', bytes);
    const got = await runBytes(process.execPath, [ESC_BIN, 'kv', '--store', store, 'get', 'bin']);
    expect(got.stdout).toEqual(Buffer.concat([bytes, Buffer.from('\n')]));
    const back = Buffer.from([0xfe, 0x00, 0xe9]);
    const set = await runBytes(process.execPath, [ESC_BIN, 'kv', '--store', store, 'set', 'bin2', '-'], {
      input: back,
    });
    expect(set.code).toBe(0);
    expect(await c.getBuffer('bin2')).toEqual(back);
  });

  it('counts every increment when esc kv processes and clients increment at once', async () => {
    await c.del('counter');
    const processes = Array.from({ length: 6 }, () =>
      (async () => {
        for (let i = 0; i < 10; i++) expect((await kv(store, ['incr', 'counter'])).code).toBe(0);
      })(),
    );
    const clients = Array.from({ length: 4 }, async () => {
      const own = new Redis({ port: esc.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      try {
        for (let i = 0; i < 100; i++) {
          await own.incr('counter');
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        own.disconnect();
      }
    });
    await Promise.all([...processes, ...clients]);
    expect(await c.get('counter')).toBe('460');
    expect((await kv(store, ['get', 'counter'])).stdout).toBe('460\n');
  }, 120_000);

  it('sees a store cleared and keys set by esc kv mset', async () => {
    await c.set('gone', '1');
    expect((await kv(store, ['clear', '--force'])).code).toBe(0);
    expect(await c.exists('gone')).toBe(0);
    expect((await kv(store, ['mset', 'm1', 'a', 'm2', 'b'])).code).toBe(0);
    expect(await c.mget('m1', 'm2')).toEqual(['a', 'b']);
    expect(await c.dbsize()).toBe(2);
  });
});
