// Bad and heavy input against the built `esc serve`: the server stays up, its memory stays bounded, and the other
// clients keep being served. Plus its start-up checks and its clean stop on SIGTERM/SIGINT.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { makeTempDir, until } from '@esc/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEsc } from '../run-esc.js';
import { RespClient, type RunningServer, startEscServe } from './serve-harness.js';

let esc: RunningServer;
beforeAll(async () => {
  esc = await startEscServe();
});
afterAll(async () => {
  await esc?.stop();
});

const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${esc.child.pid}/status`, 'utf8'))![1]) / 1024;

async function stillServes(): Promise<void> {
  const c = await RespClient.connect(esc.port);
  expect(await c.call('PING', 'alive')).toBe('$5\r\nalive\r\n');
  c.close();
}

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
}

describe('esc serve under hostile input', () => {
  it('survives random bytes on many connections', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => RespClient.connect(esc.port)));
    clients.forEach((c, i) => {
      const r = prng(i + 1);
      const bytes = Buffer.from(Array.from({ length: 4096 }, r));
      if (i % 2 === 0) bytes[0] = 0x2a;
      c.write(bytes);
    });
    await new Promise((r) => setTimeout(r, 200));
    for (const c of clients) c.close();
    await stillServes();
  });

  it('answers a $4294967296 bulk with a protocol error and closes only that connection', async () => {
    const c = await RespClient.connect(esc.port);
    c.write('*1\r\n$4294967296\r\n');
    expect(await c.readReply()).toBe('-ERR Protocol error: invalid bulk length\r\n');
    await c.waitClosed();
    await stillServes();
  });

  it('waits on a *2147483647 header without allocating for it', async () => {
    const before = rssMiB();
    const c = await RespClient.connect(esc.port);
    c.write('*2147483647\r\n$4\r\nPING\r\n');
    await new Promise((r) => setTimeout(r, 200));
    await stillServes();
    expect(rssMiB() - before).toBeLessThan(50);
    c.close();
  });

  it('refuses a huge inline line after 64 KiB, without buffering the rest', async () => {
    const c = await RespClient.connect(esc.port);
    const chunk = Buffer.alloc(1024 * 1024, 'A');
    for (let i = 0; i < 16 && !c.closed; i++) c.write(chunk);
    expect(await c.readReply()).toBe('-ERR Protocol error: too big inline request\r\n');
    await c.waitClosed();
    await stillServes();
  });

  it('answers 100k pipelined PINGs in one write, in order', async () => {
    const c = await RespClient.connect(esc.port);
    c.write(Buffer.from('*1\r\n$4\r\nPING\r\n'.repeat(100_000)));
    expect(await c.readBytes(700_000)).toBe('+PONG\r\n'.repeat(100_000));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.buffered).toBe(0);
    c.close();
  });

  it('disconnects a subscriber that never reads at the 32 MiB output limit; memory stays bounded', async () => {
    const sub = await RespClient.connect(esc.port);
    expect(await sub.call('SUBSCRIBE', 'flood')).toBe('*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n');
    sub.socket.pause();
    const pub = await RespClient.connect(esc.port);
    const payload = Buffer.alloc(64 * 1024, 'p');
    let published = 0;
    let receivers = 1;
    while (receivers === 1) {
      receivers = Number((await pub.call('PUBLISH', 'flood', payload))!.slice(1, -2));
      if (receivers === 1) published += payload.length;
      expect(published).toBeLessThan(256 * 1024 * 1024);
    }
    // Disconnected past 32 MiB queued (plus what the kernel's socket buffers took), not later.
    expect(published).toBeGreaterThan(32 * 1024 * 1024);
    expect(published).toBeLessThan(80 * 1024 * 1024);
    expect(rssMiB()).toBeLessThan(250);
    expect(await pub.call('PUBSUB', 'NUMSUB', 'flood')).toBe('*2\r\n$5\r\nflood\r\n:0\r\n');
    pub.close();
    sub.close();
    await stillServes();
  });
});

describe('esc serve start-up and stop', () => {
  it('refuses a non-loopback bind without a password unless --insecure', () => {
    const r = runEsc(['serve', '--bind', '0.0.0.0', '--resp-port', '0', '--pls-port', '0', '--http-port', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'esc: serve: refusing to listen on 0.0.0.0 without a password: give --requirepass or --password-file, or --insecure\n',
    );
  });

  it('names the address it cannot listen on', () => {
    const r = runEsc([
      'serve',
      '--resp-port',
      String(esc.port),
      '--pls-port',
      '0',
      '--http-port',
      '0',
      '--dir',
      esc.dir,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`esc: serve: cannot listen on 127.0.0.1:${esc.port} (resp): address already in use\n`);
  });

  it('names the field of a bad --config file', () => {
    const dir = makeTempDir('esc-serve-config');
    try {
      const file = join(dir.path, 'serve.json');
      writeFileSync(file, JSON.stringify({ respPort: 70000 }));
      const r = runEsc(['serve', '--config', file]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^esc: .*serve\.json.*invalid at respPort: /);
    } finally {
      dir.remove();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops cleanly on %s: exit 0, the clients closed', async (signal) => {
    const server = await startEscServe();
    const c = await RespClient.connect(server.port);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await server.stop(signal)).toBe(0);
    await c.waitClosed();
  });

  it('exits at once, status 2, on a second SIGINT while the stop waits on a client that never reads', async () => {
    const server = await startEscServe(['--log-level', 'info']);
    const c = await RespClient.connect(server.port);
    expect(await c.call('SET', 'big', 'x'.repeat(1 << 20))).toBe('+OK\r\n');
    // 32 MiB of replies the client never reads: the stop would wait out its 5 s grace for them.
    const stuck = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => stuck.once('connect', resolve));
    stuck.pause();
    stuck.write('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n'.repeat(32));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    server.child.kill('SIGINT');
    await until(() => server.stderr().includes('signal received'), 20_000);
    const code = await server.stop('SIGINT');
    expect(server.stderr()).toContain('esc serve: SIGINT again: exiting now, without finishing the stop\n');
    expect(code).toBe(2);
    stuck.destroy();
    c.close();
  });
});
