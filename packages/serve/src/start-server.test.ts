import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AckedReply } from './acked-reply.js';
import type { CommandFamily } from './command-spec.js';
import { bulk, OK } from './reply.js';
import { resolveServeConfig, type ServeConfigInput } from './serve-config.js';
import { type RunningServer, startServer } from './start-server.js';
import { createLogger } from './logger.js';
import { RawClient } from './test-helpers/raw-client.js';
import { onFreePort } from '@esc/test-fixtures';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A family for these tests: SLOW ms value answers after ms (and logs `slow value` as it starts), BOOM throws,
 * close() logs `closed`; ACKED value group answers value once the group's acknowledgement comes (as a store's
 * write), which ACK group gives and NACK group fails.
 */
function testFamily(log: string[]): CommandFamily {
  const groups = new Map<string, { promise: Promise<void>; ok: () => void; fail: (e: Error) => void }>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (g === undefined) {
      let ok!: () => void;
      let fail!: (e: Error) => void;
      const promise = new Promise<void>((resolve, reject) => {
        ok = resolve;
        fail = reject;
      });
      g = { promise, ok, fail };
      groups.set(name, g);
    }
    return g;
  };
  const spec = (name: string, arity: number, handler: CommandFamily['commands'][number]['handler']) => ({
    name,
    arity,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    handler,
  });
  return {
    commands: [
      spec('slow', 3, (args) => {
        log.push(`slow ${args[2]!.toString()}`);
        const ms = Number(args[1]!.toString());
        return new Promise((resolve) => setTimeout(() => resolve(bulk(args[2]!)), ms));
      }),
      spec('boom', 1, () => {
        throw new Error('it broke');
      }),
      spec('rejects', 1, () => Promise.reject(new Error('it broke later'))),
      spec('fast', 2, (args) => bulk(args[1]!)),
      spec('acked', 3, (args) => new AckedReply(bulk(args[1]!), group(args[2]!.toString()).promise)),
      spec('ack', 2, (args) => {
        group(args[1]!.toString()).ok();
        return OK;
      }),
      spec('nack', 2, (args) => {
        group(args[1]!.toString()).fail(new Error(`${args[1]!.toString()} failed`));
        return OK;
      }),
    ],
    info: (section) => (section === 'stats' ? [['test_field', 7]] : []),
    close: async () => {
      log.push('closed');
    },
  };
}

async function start(flags: Partial<ServeConfigInput> = {}, log: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'esc-serve-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  // Again on another port when another test's process took the one found before the bind.
  const { server, port } = await onFreePort(async (port) => {
    const config = resolveServeConfig({ dir, respPort: port, plsPort: 0, httpPort: 0, ...flags });
    const server: RunningServer = await startServer(config, {
      families: [() => testFamily(log)],
      logger: createLogger('silent'),
    });
    return { server, port };
  });
  cleanups.push(() => server.stop());
  const client = async () => {
    const c = await RawClient.open(port);
    cleanups.push(() => c.close());
    return c;
  };
  return { server, port, client, dir };
}

/** connected_clients from INFO clients on `c`. */
async function connectedClients(c: RawClient): Promise<number> {
  const from = c.received.length;
  c.socket.write('INFO clients\r\n');
  const field = /connected_clients:(\d+)\r\n/;
  await c.until(() => field.test(c.received.slice(from)));
  return Number(field.exec(c.received.slice(from))![1]);
}

describe('esc serve, in process', () => {
  it('answers pipelined requests in request order whatever order their promises resolve in', async () => {
    const { client } = await start();
    const c = await client();
    const got = await c.exchange(
      'SLOW 60 a\r\nFAST b\r\nSLOW 5 c\r\nPING\r\nSLOW 30 d\r\n',
      '$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n+PONG\r\n$1\r\nd\r\n',
    );
    expect(got).toBe('$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n+PONG\r\n$1\r\nd\r\n');
  });

  it('answers writes once their acknowledgement comes, in request order, group after group', async () => {
    const { client } = await start();
    const c = await client();
    const d = await client();
    c.socket.write('ACKED a g1\r\nACKED b g1\r\nACKED c g2\r\nFAST e\r\n');
    expect(await d.exchange('ACK g2\r\n', '+OK\r\n')).toBe('+OK\r\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(c.received).toBe(''); // c and e wait behind a and b
    await d.exchange('NACK g1\r\n', '+OK\r\n');
    const first = '-ERR g1 failed\r\n-ERR g1 failed\r\n$1\r\nc\r\n$1\r\ne\r\n';
    await c.until(() => c.received.length >= first.length);
    expect(c.received).toBe(first);
    // The connection's waits for g1 and g2 are answered and used again: nothing of theirs comes back.
    for (const [i, v] of ['x', 'y', 'z'].entries()) {
      c.socket.write(`ACKED ${v} h${i}\r\n`);
      await d.exchange(`ACK h${i}\r\n`, '+OK\r\n');
      await c.until(() => c.received.endsWith(`$1\r\n${v}\r\n`));
    }
    expect(c.received.slice(first.length)).toBe('$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n');
  });

  it('answers the requests of a client that half-closed after them, then closes, as Redis does', async () => {
    const { client } = await start();
    const c = await client();
    c.socket.end('SLOW 50 a\r\nFAST b\r\nPING\r\n');
    await c.until(() => c.closed);
    expect(c.received).toBe('$1\r\na\r\n$1\r\nb\r\n+PONG\r\n');
  });

  it('closes a half-closed client whose reply does not come (a read blocked for good), as Redis does', async () => {
    const { client } = await start();
    const c = await client();
    c.socket.end('FAST a\r\nSLOW 600000 b\r\n');
    await c.until(() => c.closed, 60_000);
    expect(c.received).toBe('$1\r\na\r\n');
    const d = await client();
    await d.exchange('INFO clients\r\n', 10);
    await d.until(() => /connected_clients:\d+\r\n/.test(d.received));
    expect(d.received).toMatch(/connected_clients:1\r\n/);
  });

  it('answers a handler that throws or rejects with -ERR, and keeps the connection', async () => {
    const { client } = await start();
    const c = await client();
    expect(await c.exchange('BOOM\r\nREJECTS\r\nPING\r\n', '-ERR it broke\r\n-ERR it broke later\r\n+PONG\r\n')).toBe(
      '-ERR it broke\r\n-ERR it broke later\r\n+PONG\r\n',
    );
  });

  it('adds the families INFO fields to their sections', async () => {
    const { client } = await start();
    const c = await client();
    await c.exchange('INFO stats\r\n', 10);
    await c.until(() => c.received.includes('test_field:7\r\n'));
    expect(c.received).toMatch(/^\$\d+\r\n# Stats\r\n/);
  });

  it('with a password answers NOAUTH to all but AUTH, HELLO AUTH and QUIT', async () => {
    const { client } = await start({ requirepass: 's3cret' });
    const c = await client();
    const noauth = '-NOAUTH Authentication required.\r\n';
    expect(await c.exchange('PING\r\n', noauth)).toBe(noauth);
    expect(await c.exchange('FAST x\r\n', noauth)).toBe(noauth);
    // Unknown commands and arity come first, as in Redis.
    expect(await c.exchange('NOPE\r\n', 10)).toMatch(/^-ERR unknown command 'NOPE'/);
    const wrong = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
    expect(await c.exchange('AUTH nope\r\n', wrong)).toBe(wrong);
    expect(await c.exchange('HELLO 3\r\n', 10)).toMatch(
      /^-NOAUTH HELLO must be called with the client already authenticated/,
    );
    expect(await c.exchange('AUTH s3cret\r\nPING\r\n', '+OK\r\n+PONG\r\n')).toBe('+OK\r\n+PONG\r\n');
    expect(await c.exchange('RESET\r\nPING\r\n', `+RESET\r\n${noauth}`)).toBe(`+RESET\r\n${noauth}`);
    const d = await client();
    const hello = await d.exchange('HELLO 3 AUTH default s3cret\r\n', 10);
    expect(hello.startsWith('%7\r\n')).toBe(true);
    const e = await client();
    expect(await e.exchange('QUIT\r\n', '+OK\r\n')).toBe('+OK\r\n');
    await e.until(() => e.closed);
  });

  it('reads the password from --password-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-serve-pw-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const { client } = await start({ passwordFile: join(dir, 'pw') });
    const c = await client();
    expect(await c.exchange('AUTH from-file\r\n', '+OK\r\n')).toBe('+OK\r\n');
  });

  it('refuses clients beyond --max-clients with Redis text, and takes them again once one left', async () => {
    const { client } = await start({ maxClients: 2 });
    const a = await client();
    await a.exchange('PING\r\n', '+PONG\r\n');
    const b = await client();
    await b.exchange('PING\r\n', '+PONG\r\n');
    const c = await client();
    await c.until(() => c.closed);
    expect(c.received).toBe('-ERR max number of clients reached\r\n');
    a.close();
    // Once the server has seen a leave (b's INFO counts one client), not after a guessed pause.
    while ((await connectedClients(b)) !== 1) await new Promise((r) => setTimeout(r, 10));
    const d = await client();
    expect(await d.exchange('PING\r\n', '+PONG\r\n')).toBe('+PONG\r\n');
  });

  it('on stop answers the commands in flight, closes the clients and then the families', async () => {
    const log: string[] = [];
    const { server, client } = await start({}, log);
    const c = await client();
    c.socket.write('SLOW 300 last\r\n');
    // Stopped once the command is in flight (its handler started), not after a guessed pause.
    while (!log.includes('slow last')) await new Promise((r) => setTimeout(r, 5));
    await server.stop();
    expect(c.received).toBe('$4\r\nlast\r\n');
    await c.until(() => c.closed);
    expect(log).toEqual(['slow last', 'closed']);
  });

  it('disconnects a subscriber past the pubsub output limit; other clients are served', async () => {
    const { client } = await start({
      pubsubOutputLimit: { hardBytes: 256 * 1024, softBytes: 128 * 1024, softSeconds: 60 },
    });
    const sub = await client();
    await sub.exchange('SUBSCRIBE ch\r\n', '*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    sub.socket.pause();
    const pub = await client();
    const payload = 'x'.repeat(16 * 1024);
    let receivers = 1;
    for (let i = 0; i < 2000 && receivers === 1; i++) {
      const reply = await pub.exchange(`PUBLISH ch ${payload}\r\n`, 4);
      receivers = Number(reply.slice(1, -2));
    }
    expect(receivers).toBe(0);
    expect(await pub.exchange('PUBSUB NUMSUB ch\r\n', '*2\r\n$2\r\nch\r\n:0\r\n')).toBe('*2\r\n$2\r\nch\r\n:0\r\n');
  });

  it('refuses a non-loopback bind without a password unless --insecure', () => {
    expect(() => resolveServeConfig({ bind: '0.0.0.0' })).toThrow(/refusing to listen on 0.0.0.0 without a password/);
    expect(resolveServeConfig({ bind: '0.0.0.0', insecure: true }).bind).toBe('0.0.0.0');
    expect(resolveServeConfig({ bind: '0.0.0.0', requirepass: 'x' }).bind).toBe('0.0.0.0');
    expect(() => resolveServeConfig({ requirepass: 'x', passwordFile: '/p' })).toThrow(/cannot be combined/);
  });

  it('reads a --config file under the flags; errors name the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-serve-cfg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'serve.json');
    writeFileSync(file, JSON.stringify({ respPort: 7000, maxClients: 5 }));
    const config = resolveServeConfig({ maxClients: 9 }, file);
    expect([config.respPort, config.maxClients, config.bind]).toEqual([7000, 9, '127.0.0.1']);
    writeFileSync(file, JSON.stringify({ respPort: 'x' }));
    expect(() => resolveServeConfig({}, file)).toThrow(/at respPort/);
    writeFileSync(file, JSON.stringify({ nope: 1 }));
    expect(() => resolveServeConfig({}, file)).toThrow(/nope/);
  });
});
