// `esc serve --backend redis-cluster://…`: two instances over one Redis Cluster act as one server. Events ingested
// through either are returned by every query through either, reach both live tails, and an alert rule crossing
// its threshold fires once between them.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, type RedisTestCluster, startRedis, startRedisCluster, until } from '@esc/test-fixtures';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ESC_BIN, runEsc } from '../run-esc.js';
import { startProcess } from '../serve/serve-harness.js';
import { allEvents, type HttpServe, startBackendServe } from './http-harness.js';

interface Stored {
  id: string;
  level: string;
  service: string;
  message: string;
  offset: number;
}

const LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
const SERVICES = ['api', 'web', 'db'];

let cluster: RedisTestCluster;
let servers: HttpServe[] = [];
const hooks: { rule: string; status: string }[] = [];
let receiver: Server;
let dir: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  dir = makeTempDir('esc-backend');
  cluster = await startRedisCluster();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const rules = join(dir.path, 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({ rules: [{ name: 'pager', level: 'CRITICAL', service: 'pay', threshold: 10, window: '1h' }] }),
  );
  servers = await Promise.all(
    [0, 1].map(() => startBackendServe(cluster.url, ['--rules', rules, '--alert-webhook', hook])),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.server.stop()));
  await new Promise((resolve) => receiver?.close(resolve));
  await cluster?.stop();
  dir?.remove();
}, 60_000);

async function post(url: string, body: string, type: string): Promise<string[]> {
  const res = await fetch(`${url}/ingest`, { method: 'POST', headers: { 'content-type': type }, body });
  expect(res.status).toBe(200);
  const reply = (await res.json()) as { id?: string; ids?: string[] };
  return reply.ids ?? [reply.id!];
}

/** Follows GET /logs/stream, gathering the ids of the events it is sent. */
async function follow(url: string): Promise<{ ids: Set<string>; stop(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/logs/stream`, { signal: abort.signal });
  const ids = new Set<string>();
  const reader = res.body!.getReader();
  void (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += Buffer.from(value!).toString();
      let end = text.indexOf('\n\n');
      for (; end >= 0; end = text.indexOf('\n\n')) {
        const data = text
          .slice(0, end)
          .split('\n')
          .find((l) => l.startsWith('data: '));
        if (data !== undefined) ids.add((JSON.parse(data.slice(6)) as { id: string }).id);
        text = text.slice(end + 2);
      }
    }
  })();
  return { ids, stop: () => abort.abort() };
}

describe('esc serve --backend redis-cluster://', () => {
  it("refuses the PyLogStreams front-end and --dir, which serve this machine's store, with one line and exit 2", () => {
    const res = runEsc(['serve', '--backend', 'redis://127.0.0.1:1', '--pls-port', '6390'], { timeout: 20_000 });
    expect(res.stderr).toBe(
      "esc: serve: --backend has no PyLogStreams front-end (it serves this machine's topics): drop --pls-port or give 0\n",
    );
    expect(res.status).toBe(2);
    const dir = runEsc(['serve', '--backend', 'redis://127.0.0.1:1', '--dir', '/tmp'], { timeout: 20_000 });
    expect(dir.stderr).toBe('esc: serve: --backend keeps nothing on this machine: --dir has no use with it\n');
    expect(res.status).toBe(2);
  });

  it('two instances: ingest through both, every query through either sees every event, both live tails too', async () => {
    const tails = await Promise.all(servers.map((s) => follow(s.url)));
    const sent: Omit<Stored, 'offset'>[] = [];
    const make = (i: number) => ({
      level: LEVELS[i % LEVELS.length]!,
      service: SERVICES[(i * 7) % SERVICES.length]!,
      message: `event ${i}${i % 5 === 0 ? ' needle' : ''}`,
    });
    let n = 0;
    // Single events and NDJSON batches, alternating between the instances, some at once.
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        servers.map(async (s, which) => {
          const single = make(n++);
          const [id] = await post(s.url, JSON.stringify(single), 'application/json');
          sent.push({ ...single, id: id! });
          const batch = Array.from({ length: 5 + which * 3 }, () => make(n++));
          const ids = await post(s.url, batch.map((e) => JSON.stringify(e)).join('\n'), 'application/x-ndjson');
          for (const [i, e] of batch.entries()) sent.push({ ...e, id: ids[i]! });
        }),
      );
    }
    const ids = (events: { id: string }[]) => events.map((e) => e.id).sort();
    const model = (keep: (e: Omit<Stored, 'offset'>) => boolean) => ids(sent.filter(keep));

    for (const s of servers) {
      const every = (await allEvents(s.url, 'since=-1h')) as unknown as Stored[];
      expect(ids(every)).toEqual(model(() => true));
      // Offsets are unique across the instances and order the reply.
      expect(new Set(every.map((e) => e.offset)).size).toBe(every.length);
      expect(ids(await allEvents(s.url, 'level=error'))).toEqual(model((e) => e.level === 'ERROR'));
      expect(ids(await allEvents(s.url, 'service=web&since=-1h'))).toEqual(model((e) => e.service === 'web'));
      expect(ids(await allEvents(s.url, 'level=INFO&service=db'))).toEqual(
        model((e) => e.level === 'INFO' && e.service === 'db'),
      );
      expect(ids(await allEvents(s.url, 'q=needle&since=-1h'))).toEqual(model((e) => e.message.includes('needle')));
      // Page by page (limit 7, following `next`): every event once, newest first.
      const paged: Stored[] = [];
      let cursor = '';
      for (;;) {
        const body = (await (await fetch(`${s.url}/logs?since=-1h&limit=7${cursor}`)).json()) as {
          logs: Stored[];
          next: string | null;
        };
        paged.push(...body.logs);
        if (body.next === null || body.logs.length === 0) break;
        cursor = `&cursor=${body.next}`;
      }
      expect(ids(paged)).toEqual(model(() => true));
      expect(paged.map((e) => e.offset)).toEqual([...paged.map((e) => e.offset)].sort((a, b) => b - a));
      const stats = (await (await fetch(`${s.url}/stats`)).json()) as { logs_in_storage: number };
      expect(stats.logs_in_storage).toBe(sent.length);
    }
    // Each live tail got the events ingested through both instances.
    for (const tail of tails) await until(() => sent.every((e) => tail.ids.has(e.id)), 30_000);
    for (const tail of tails) tail.stop();
  }, 120_000);

  it('an alert rule crossing its threshold through both instances fires once', async () => {
    const critical = (i: number) => JSON.stringify({ level: 'CRITICAL', service: 'pay', message: `card ${i}` });
    // 30 matches for a threshold of 10, sent through both instances at once, one event a request.
    await Promise.all(
      servers.map(async (s, which) => {
        for (let i = 0; i < 15; i++) await post(s.url, critical(which * 100 + i), 'application/json');
      }),
    );
    // Both instances have judged all 30 matches (their rule status comes from Redis)…
    for (const s of servers)
      await until(async () => {
        const body = (await (await fetch(`${s.url}/alerts`)).json()) as { rules: { state: string; count: number }[] };
        return body.rules[0]!.state === 'firing' && body.rules[0]!.count === 30;
      }, 30_000);
    // …and between them delivered one firing: one at the webhook, one in the shared history.
    const histories = await Promise.all(
      servers.map(async (s) =>
        until(async () => {
          const { alerts } = (await (await fetch(`${s.url}/alerts`)).json()) as { alerts: object[] };
          return alerts.length > 0 && alerts;
        }, 30_000),
      ),
    );
    // The history is shared: both instances show the one firing, numbered alike.
    for (const history of histories)
      expect(history).toMatchObject([{ seq: 1, rule: 'pager', status: 'firing', count: 10, threshold: 10 }]);
    await until(() => hooks.length >= 1, 30_000);
    expect(hooks).toMatchObject([{ seq: 1, rule: 'pager', status: 'firing' }]);
    // One stderr line between the two instances: the one that delivered it.
    const lines = servers.flatMap((s) =>
      s.server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('alert firing')),
    );
    expect(lines).toHaveLength(1);
  }, 120_000);
});

describe('esc serve --backend: the RESP front-end forwards the kv and stream commands', () => {
  it('answers as the cluster does, splitting multi-key commands by slot and visiting every master', async () => {
    const serve = await startProcess(
      process.execPath,
      (port) => [ESC_BIN, 'serve', '--backend', cluster.url, '--resp-port', String(port), '--http-port', '0'],
      (_out, err) => err.includes('esc serve: listening (resp '),
      { env: { NODE_PATH: undefined } },
    );
    const esc = new Redis({ port: serve.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    const other = new Redis({ port: serve.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    const direct = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
    try {
      await esc.connect();
      await other.connect();
      expect(await esc.set('fwd:a', '1')).toBe('OK');
      expect(await direct.get('fwd:a')).toBe('1');
      expect(await esc.incr('fwd:a')).toBe(2);
      // Keys in different slots: split as cluster clients split them.
      expect(await esc.mset('fwd:k1', 'v1', 'fwd:k2', 'v2', 'fwd:k3', 'v3')).toBe('OK');
      expect(await esc.mget('fwd:k1', 'fwd:k2', 'fwd:nope', 'fwd:k3')).toEqual(['v1', 'v2', null, 'v3']);
      expect(await esc.exists('fwd:k1', 'fwd:k2', 'fwd:nope')).toBe(2);
      expect(await esc.del('fwd:k1', 'fwd:k2')).toBe(2);
      await expect(esc.call('get')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
      // Streams, WRONGTYPE, and a blocking read woken by another client's XADD.
      const id = (await esc.xadd('fwd:s', '*', 'f', 'v')) as string;
      expect(await esc.xrange('fwd:s', '-', '+')).toEqual([[id, ['f', 'v']]]);
      await expect(esc.get('fwd:s')).rejects.toThrow('WRONGTYPE');
      expect(await esc.type('fwd:s')).toBe('stream');
      const waiting = esc.xread('BLOCK', 20_000, 'STREAMS', 'fwd:s', id);
      const later = (await other.xadd('fwd:s', '*', 'g', 'w')) as string;
      const got = await waiting;
      expect(got).toEqual([['fwd:s', [[later, ['g', 'w']]]]]);
      // A RESP2 client gets XREAD's RESP2 shape (an array of [stream, entries]), a RESP3 one Redis's map.
      const resp2 = new Redis({ port: serve.port, protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0 });
      await resp2.connect();
      expect(await resp2.xread('COUNT', 1, 'STREAMS', 'fwd:s', '0')).toEqual([['fwd:s', [[id, ['f', 'v']]]]]);
      resp2.disconnect();
      // KEYS, DBSIZE and SCAN see the keys of every master.
      for (let i = 0; i < 40; i++) await esc.set(`fwd:many:${i}`, String(i));
      const expected = [...Array.from({ length: 40 }, (_, i) => `fwd:many:${i}`), 'fwd:a', 'fwd:k3', 'fwd:s'].sort();
      expect((await esc.keys('fwd:*')).sort()).toEqual(expected);
      const scanned: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await esc.scan(cursor, 'MATCH', 'fwd:*', 'COUNT', 10);
        scanned.push(...keys);
        cursor = next;
      } while (cursor !== '0');
      expect([...new Set(scanned)].sort()).toEqual(expected);
      const perMaster = await Promise.all((await cluster.masters()).map(async (m) => Number(await m.cli('dbsize'))));
      expect(await esc.dbsize()).toBe(perMaster.reduce((a, b) => a + b, 0));
    } finally {
      esc.disconnect();
      other.disconnect();
      direct.disconnect();
      await serve.stop();
    }
  }, 120_000);
});

describe('esc serve --backend: a cluster failover', () => {
  it('ingest and queries go on after a master is killed and its replica takes over', async () => {
    const acked: string[] = [];
    const send = async (i: number): Promise<void> => {
      const s = servers[i % 2]!;
      const body = JSON.stringify({ level: 'INFO', service: 'failover', message: `event ${i}` });
      const res = await fetch(`${s.url}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (res.status === 200) acked.push(((await res.json()) as { id: string }).id);
    };
    let i = 0;
    for (; i < 20; i++) await send(i);
    // A third instance, stopped in the middle of the failover: it must still exit (it used to wait forever on a
    // read ioredis left pending).
    const leaving = await startBackendServe(cluster.url);
    onTestFinished(() => leaving.server.stop().then(() => undefined));
    const [victim] = await cluster.masters();
    // The replica has every write acknowledged so far (Redis replicates asynchronously: a master killed before
    // that would lose them, Redis's documented window, which this test does not measure).
    await until(async () => {
      const info = await victim!.cli('info', 'replication');
      const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
      return offset !== undefined && new RegExp(`slave0:.*offset=${offset},`).test(info);
    }, 30_000);
    await victim!.kill();
    // Requests to the dead master's partitions wait through the failover (the client retries), then succeed.
    const during = Array.from({ length: 20 }, () => send(i++));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await leaving.server.stop()).toBe(0);
    await cluster.waitHealthy(60_000);
    await Promise.all(during);
    const afterFailover = acked.length;
    for (let n = 0; n < 20; n++) await send(i++);
    expect(acked.length).toBe(afterFailover + 20);
    // Every event acknowledged, before, during and after the failover, is found through either instance.
    for (const s of servers) {
      const found = new Set((await allEvents(s.url, 'service=failover&since=-1h')).map((e) => e.id));
      expect(acked.filter((id) => !found.has(id))).toEqual([]);
    }
  }, 180_000);
});

describe('esc serve --backend: a backend that went down', () => {
  it('a stop cuts a request left waiting on it after the 5 s grace, and exits 0', async () => {
    const redis = await startRedis();
    const { url, server } = await startBackendServe(redis.url);
    onTestFinished(async () => {
      await server.stop().catch(() => undefined);
      await redis.stop();
    });
    const body = JSON.stringify({ level: 'INFO', service: 'down', message: 'before' });
    expect(
      (await fetch(`${url}/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status,
    ).toBe(200);
    await redis.stop();
    // The client retries until Redis is back: this request waits, as long as its client does (here: forever).
    const request = connect(server.port, '127.0.0.1');
    let reply = '';
    request.on('data', (d: Buffer) => (reply += d.toString()));
    const closed = new Promise((resolve) => request.on('close', resolve));
    await new Promise<void>((resolve) =>
      request.write(
        `POST /ingest HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        () => resolve(),
      ),
    );
    // In flight once the server has read it: its end of the connection has nothing left unread.
    await until(() => serverUnread(server.port, request.localPort!) === 0, 20_000);
    expect(await server.stop()).toBe(0);
    await closed;
    // Cut, not answered (a 503 is what a request arriving during the stop gets).
    expect(reply).toBe('');
  }, 60_000);
});

/** Bytes the server's end of a loopback connection has received and not yet read (/proc/net/tcp's rx_queue). */
function serverUnread(serverPort: number, clientPort: number): number | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, remote, , queues] = line.trim().split(/\s+/);
    if (local?.endsWith(`:${hex(serverPort)}`) && remote?.endsWith(`:${hex(clientPort)}`))
      return Number.parseInt(queues!.split(':')[1]!, 16);
  }
  return undefined;
}
