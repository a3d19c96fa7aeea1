/**
 * The PyLogStreams front-end of the built `esc serve`, through the repo's client written from
 * docs/formats/pls-protocol.md: register, produce with CRC, subscribe, consume, restarts (clean and SIGKILL),
 * a bad CRC in INFO, the heartbeat limit, garbage, and interop with `esc produce` / `esc consume`.
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { PlsClient, type PlsMessage } from '@esc/serve';
import { makeTempDir } from '@esc/test-fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { ESC_BIN, run } from '../run-esc.js';
import { onFreePort } from '@esc/test-fixtures';
import { RespClient, type RunningServer, startEscServe } from './serve-harness.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = makeTempDir('esc-pls-e2e');
  cleanups.push(() => dir.remove());
  return dir.path;
}

interface Served {
  server: RunningServer;
  plsPort: number;
}

/**
 * `esc serve --dir DIR` with its PLS front-end on a free port (RESP on the harness's), or on `plsPort` (a
 * restart): a free port taken by another process before the server bound it is replaced by another.
 */
async function serve(dir: string, args: string[] = [], plsPort?: number): Promise<Served> {
  const start = (port: number) => startEscServe(['--pls-port', String(port), ...args], { dir });
  const { server, port } =
    plsPort === undefined
      ? await onFreePort(async (port) => ({ server: await start(port), port }))
      : { server: await start(plsPort), port: plsPort };
  cleanups.push(() => server.stop('SIGKILL'));
  for (let i = 0; !server.stderr().includes('listening (pls '); i++) {
    if (i > 200) throw new Error(`no PLS listening line: ${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { server, plsPort: port };
}

async function plsClient(port: number, heartbeatMs = 0): Promise<PlsClient> {
  const client = await PlsClient.connect({ port, heartbeatMs });
  cleanups.push(() => client.close());
  return client;
}

/** The next `n` deliveries as `topic payload`; fails after 20 s or at the end of the connection. */
async function take(messages: AsyncIterator<PlsMessage>, n: number): Promise<string[]> {
  const out: string[] = [];
  const deadline = Date.now() + 20_000;
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      messages.next(),
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), deadline - Date.now()))),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`${out.length} of ${n} deliveries; last: ${out.at(-1)}`);
    if (next.done) throw new Error(`the connection ended after ${out.length} of ${n} deliveries`);
    out.push(`${next.value.topic} ${next.value.payload.toString()}`);
  }
  return out;
}

async function infoStats(respPort: number): Promise<Record<string, string>> {
  const resp = await RespClient.connect(respPort);
  try {
    const reply = await resp.call('INFO', 'stats');
    return Object.fromEntries(
      reply
        .split('\r\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':') as [string, string]),
    );
  } finally {
    resp.close();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const seq = (m: string) => Number(m.split(' ').at(-1));

describe('esc serve --pls-port', () => {
  it('registers, produces with CRC, subscribes, consumes; after a restart the same id goes on after the last record delivered', async () => {
    const dir = tempDir();
    const first = await serve(dir, ['--sync', 'always']);
    const producer = await plsClient(first.plsPort);
    await producer.register();
    for (let i = 0; i < 1000; i++) producer.publish('orders', `order ${i}`);
    expect(await producer.flush()).toEqual({ appended: 1000, refused: 0 });

    const consumer = await plsClient(first.plsPort);
    const id = await consumer.register();
    consumer.subscribe('orders');
    expect((await take(consumer.messages(), 1000)).map(seq)).toEqual(range(0, 1000));

    expect(await first.server.stop()).toBe(0);
    const second = await serve(dir, [], first.plsPort);
    const again = await plsClient(second.plsPort);
    again.login(id);
    const more = await plsClient(second.plsPort);
    await more.register();
    for (let i = 1000; i < 1100; i++) more.publish('orders', `order ${i}`);
    await more.flush();
    again.subscribe('orders');
    // Exactly the records after the last one delivered before the restart: nothing lost, nothing repeated.
    expect((await take(again.messages(), 100)).map(seq)).toEqual(range(1000, 1100));
    expect(await Promise.race([again.messages().next(), new Promise((r) => setTimeout(() => r('quiet'), 300))])).toBe(
      'quiet',
    );
  });

  it('after a SIGKILL while delivering, the same id loses nothing (at least once: a repeat only at the seam)', async () => {
    const dir = tempDir();
    const first = await serve(dir);
    const producer = await plsClient(first.plsPort);
    await producer.register();
    const n = 30_000;
    // 60 MB: far more than the socket buffers and the client's queue hold, so the kill lands mid-stream.
    const pad = '.'.repeat(2000);
    for (let i = 0; i < n; i++) producer.publish('events', `${pad} ${i}`);
    await producer.flush();
    const consumer = await plsClient(first.plsPort);
    const id = await consumer.register();
    consumer.subscribe('events');
    const before: number[] = [];
    for await (const m of consumer.messages()) {
      before.push(seq(m.payload.toString()));
      if (before.length === 3000) first.server.child.kill('SIGKILL');
    }
    await first.server.stop();
    expect(before).toEqual(range(0, before.length));
    expect(before.length).toBeLessThan(n);

    const second = await serve(dir);
    const again = await plsClient(second.plsPort);
    again.login(id);
    again.subscribe('events');
    const messages = again.messages();
    const firstAfter = seq((await take(messages, 1))[0]!);
    expect(firstAfter).toBeLessThanOrEqual(before.length);
    const after = [firstAfter, ...(await take(messages, n - firstAfter - 1)).map(seq)];
    expect(after).toEqual(range(firstAfter, n));
  });

  it('counts a PUB with a bad CRC in INFO and logs it; the connection goes on', async () => {
    const { server, plsPort } = await serve(tempDir(), ['--log-level', 'warn']);
    const client = await plsClient(plsPort);
    await client.register();
    const frame = Buffer.from('PUB t damaged');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(frame.length);
    const wrongCrc = Buffer.alloc(4);
    wrongCrc.writeUInt32BE(crc32(Buffer.from('original')) >>> 0);
    client.writeRaw(Buffer.concat([header, frame, wrongCrc]));
    client.publish('t', 'fine');
    expect(await client.flush()).toEqual({ appended: 1, refused: 1 });
    const stats = await infoStats(server.port);
    expect(stats).toMatchObject({ pls_crc_errors: '1', pls_publish_refused: '1', pls_published: '1' });
    expect(server.stderr()).toContain('CRC-32 does not match');
  });

  it('disconnects a client silent past the heartbeat limit; one that pings stays', async () => {
    const dir = tempDir();
    const config = join(dir, 'serve.json');
    // A limit far above the 100 ms pings: a loaded machine can stall a process for a few hundred ms.
    writeFileSync(config, JSON.stringify({ plsHeartbeatMs: 1500 }));
    const { server, plsPort } = await serve(dir, ['--config', config]);
    // Before the silent client connects: the server counts its silence from a moment after this one.
    const t0 = Date.now();
    const silent = await plsClient(plsPort);
    await silent.register();
    const pinging = await plsClient(plsPort, 100);
    await pinging.register();
    await silent.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    pinging.publish('t', 'alive');
    expect(await pinging.flush()).toEqual({ appended: 1, refused: 0 });
    expect((await infoStats(server.port)).pls_heartbeat_timeouts).toBe('1');
  });

  it('closes a connection that sends garbage or a hostile length; the server and other clients go on', async () => {
    const { server, plsPort } = await serve(tempDir());
    const good = await plsClient(plsPort);
    await good.register();
    let seed = 7;
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i++) random[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (const bytes of [random, Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('*1\r\n$4\r\nPING\r\n')]) {
      const socket = connect(plsPort, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('data', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write(bytes);
      await new Promise((r) => socket.once('close', r));
    }
    good.publish('t', 'still served');
    expect(await good.flush()).toEqual({ appended: 1, refused: 0 });
    expect(Number((await infoStats(server.port)).pls_protocol_errors)).toBe(3);
  });

  it('interop: PLS records are read by esc consume, and esc produce reaches a PLS subscriber', async () => {
    const dir = tempDir();
    const { plsPort } = await serve(dir);
    const producer = await plsClient(plsPort);
    await producer.register();
    for (const line of ['alpha', 'beta with spaces', 'gamma']) producer.publish('from-pls', line);
    await producer.flush();
    const consumed = await run(process.execPath, [ESC_BIN, 'consume', 'from-pls', '--dir', dir]);
    expect(consumed.stdout).toBe('alpha\nbeta with spaces\ngamma\n');

    const subscriber = await plsClient(plsPort);
    await subscriber.register();
    subscriber.subscribe('from-cli');
    const messages = subscriber.messages();
    const produced = await run(process.execPath, [ESC_BIN, 'produce', 'from-cli', '--dir', dir], {
      input: 'one\ntwo\n',
    });
    expect(produced.code).toBe(0);
    expect(await take(messages, 2)).toEqual(['from-cli one', 'from-cli two']);
  });
});
