import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { PlsClient } from '@esc/serve';
import { openStreams } from '@esc/streams';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { fmtRate, fmtRatio, median, table } from '../measure.js';
import { freePort } from '../free-port.js';

// run.ts has no --records flag; ESC_BENCH_PLS_MESSAGES shrinks the run.
const MESSAGES = Number(process.env.ESC_BENCH_PLS_MESSAGES ?? 200_000);
const PRODUCERS = 8;
const CONSUMERS = 2;
const PAYLOAD = Buffer.alloc(1024, 'm');
/** PUBs per barrier, and barriers a producer keeps in flight (docs/formats/pls-protocol.md). */
const PER_BARRIER = 500;
const BARRIERS_IN_FLIGHT = 2;
/** The original's own figure for 1 KiB messages (its DEVLOG, 2025-11-01). */
const ORIGINAL = '20–30 k/s';
const TOPIC = 'bench';

/** Delivered within the produce window, as a share of what was acknowledged: at least this "keeps up". */
const KEEPS_UP = 0.95;

interface PlsRound {
  /** Messages acknowledged (appended per --sync batch) per second, all producers together. */
  produce: number;
  /**
   * Messages delivered per second to the slower subscriber over the produce window (the first PUB to the last
   * acknowledgement): what it had received when the last PUB was acknowledged, divided by that time.
   */
  consume: number;
  /** Messages the slower subscriber had not yet received when the last PUB was acknowledged. */
  lagAtAck: number;
  /** Most messages acknowledged and not yet delivered (the slower subscriber), seen at each barrier reply. */
  maxLag: number;
  /** Milliseconds from the last acknowledgement to the slower subscriber's last delivery. */
  drainMs: number;
  /** The slower subscriber's rate from the first PUB to its last delivery (the earlier, stricter-looking figure). */
  consumeToEnd: number;
  /** Server CPU (user + system) per message, in microseconds. */
  cpuUs: number;
  /** The bench process's CPU (the 8 producers and 2 subscribers) per message, in microseconds. */
  clientCpuUs: number;
}

function fmtCount(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} k` : String(Math.round(n));
}

/** utime + stime of a process in seconds, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startServe(ctx: BenchContext, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const plsPort = await freePort();
  const child = spawn(
    ctx.esc[0]!,
    [
      ...ctx.esc.slice(1),
      'serve',
      '--dir',
      dir,
      '--resp-port',
      '0',
      '--http-port',
      '0',
      '--pls-port',
      String(plsPort),
      '--sync',
      'batch',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening \(pls [^)]*:(\d+)\)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`esc serve exited (${code}): ${err}`)));
  });
  return { child, port };
}

/** What the subscribers' thread is given (workerData). */
interface SubscribersData {
  plsSubscribers: true;
  port: number;
  total: number;
  /** Int32Array over it: messages received per subscriber, read by the producers' thread at each barrier reply. */
  received: SharedArrayBuffer;
}

/** A clock both threads read alike (performance.now() counts from each thread's own origin). */
const now = () => performance.timeOrigin + performance.now();

/**
 * The subscribers' side, in a worker thread of the bench process: its own event loop on its own OS thread, so
 * the 8 producers' loop does not decide when deliveries are read. Posts 'ready' once subscribed, then the time
 * each subscriber received its last message.
 */
async function runSubscribers(data: SubscribersData, post: (message: unknown) => void): Promise<void> {
  const received = new Int32Array(data.received);
  const consumers: PlsClient[] = [];
  try {
    for (let i = 0; i < CONSUMERS; i++) {
      const c = await PlsClient.connect({ port: data.port, heartbeatMs: 0 });
      consumers.push(c);
      await c.register();
      // As the original's locust test: consumers start at the end, then producers start.
      c.setOffset(TOPIC, -1);
      c.subscribe(TOPIC);
      await c.flush();
    }
    post('ready');
    const ends = await Promise.all(
      consumers.map(async (c, i) => {
        // Batches, as a Kafka consumer polls: deliveries are counted without an await per message.
        let count = 0;
        for await (const batch of c.batches()) {
          Atomics.store(received, i, (count += batch.length));
          if (count >= data.total) break;
        }
        return now();
      }),
    );
    post({ ends });
  } finally {
    await Promise.all(consumers.map((c) => c.close().catch(() => {})));
  }
}

if (!isMainThread && (workerData as SubscribersData | null)?.plsSubscribers) {
  const { parentPort } = await import('node:worker_threads');
  await runSubscribers(workerData as SubscribersData, (m) => parentPort!.postMessage(m));
}

/** Starts the subscribers' thread; resolves once they are subscribed, with the times they finish. */
async function startSubscribers(
  port: number,
  total: number,
): Promise<{ received: Int32Array; ends: Promise<number[]>; worker: Worker }> {
  const shared = new SharedArrayBuffer(4 * CONSUMERS);
  const data: SubscribersData = { plsSubscribers: true, port, total, received: shared };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  let ready!: () => void;
  const subscribed = new Promise<void>((r) => (ready = r));
  const ends = new Promise<number[]>((resolve, reject) => {
    worker.on('message', (m: 'ready' | { ends: number[] }) => (m === 'ready' ? ready() : resolve(m.ends)));
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the subscribers thread exited before they received everything')));
  });
  await Promise.race([subscribed, ends]);
  return { received: new Int32Array(shared), ends, worker };
}

/** 8 pipelining producers against `esc serve --sync batch`, 2 subscribers in a thread of their own. */
async function plsRound(ctx: BenchContext, dir: string): Promise<PlsRound> {
  const { child, port } = await startServe(ctx, dir);
  const clients: PlsClient[] = [];
  let subscribers: Worker | null = null;
  try {
    const connect = async () => {
      const c = await PlsClient.connect({ port, heartbeatMs: 0 });
      clients.push(c);
      await c.register();
      return c;
    };
    const each = Math.floor(MESSAGES / PRODUCERS);
    const total = each * PRODUCERS;
    const sub = await startSubscribers(port, total);
    subscribers = sub.worker;
    const receivedNow = () => {
      let least = Number.POSITIVE_INFINITY;
      for (let i = 0; i < CONSUMERS; i++) least = Math.min(least, Atomics.load(sub.received, i));
      return least;
    };
    const producers = await Promise.all(Array.from({ length: PRODUCERS }, connect));
    const cpu0 = cpuSeconds(child.pid!);
    const clientCpu0 = process.cpuUsage();
    const t0 = now();
    let acked = 0;
    let maxLag = 0;
    await Promise.all(
      producers.map(async (p) => {
        const acks: Promise<{ appended: number }>[] = [];
        let ackedHere = 0;
        const counted = (ack: { appended: number }) => {
          acked += ack.appended - ackedHere;
          ackedHere = ack.appended;
          maxLag = Math.max(maxLag, acked - receivedNow());
          return ack;
        };
        for (let sent = 0; sent < each; ) {
          const n = Math.min(PER_BARRIER, each - sent);
          for (let i = 0; i < n; i++) p.publish(TOPIC, PAYLOAD);
          sent += n;
          acks.push(p.flush().then(counted));
          if (acks.length > BARRIERS_IN_FLIGHT) await acks.shift();
          // Let the socket write what this batch queued before building the next.
          await new Promise(setImmediate);
        }
        const last = await acks.at(-1)!;
        await Promise.all(acks);
        if (last.appended !== each) throw new Error(`a producer got ${last.appended} of ${each} appended`);
      }),
    );
    const produceMs = now() - t0;
    const deliveredAtAck = receivedNow();
    const consumeMs = Math.max(...(await sub.ends)) - t0;
    const cpu = cpuSeconds(child.pid!) - cpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    return {
      produce: total / (produceMs / 1000),
      consume: deliveredAtAck / (produceMs / 1000),
      lagAtAck: total - deliveredAtAck,
      maxLag,
      drainMs: consumeMs - produceMs,
      consumeToEnd: total / (consumeMs / 1000),
      cpuUs: (cpu / total) * 1e6,
      clientCpuUs: (clientCpu.user + clientCpu.system) / total,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await subscribers?.terminate();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/** The anchor: the same records appended by 8 loops in one process straight to the store, sync batch. */
async function directRound(dir: string): Promise<number> {
  const store = openStreams(dir, { maintenanceIntervalMs: Number.POSITIVE_INFINITY });
  try {
    store.createTopic(TOPIC);
    const each = Math.floor(MESSAGES / PRODUCERS);
    const batch = Array.from({ length: PER_BARRIER }, () => ({ value: PAYLOAD }));
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: PRODUCERS }, async () => {
        for (let sent = 0; sent < each; sent += PER_BARRIER)
          await store.append(TOPIC, batch.slice(0, Math.min(PER_BARRIER, each - sent)), { sync: 'batch' });
      }),
    );
    return (each * PRODUCERS) / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
  }
}

export const suite: BenchSuite = {
  name: 'serve-pls',
  title: 'serve: the PyLogStreams front-end (8 producers of 1 KiB messages)',
  async run(ctx: BenchContext) {
    const dir = join(ctx.dataDir, 'serve-pls');
    const loadBefore = loadavg()[0]!;
    const pls: PlsRound[] = [];
    const direct: number[] = [];
    for (let round = 0; round < ctx.rounds; round++) {
      ctx.log(`serve-pls: round ${round + 1} of ${ctx.rounds}`);
      rmSync(dir, { recursive: true, force: true });
      pls.push(await plsRound(ctx, join(dir, 'pls')));
      direct.push(await directRound(join(dir, 'direct')));
    }
    rmSync(dir, { recursive: true, force: true });
    const produce = median(pls.map((r) => r.produce));
    const consume = median(pls.map((r) => r.consume));
    const lagAtAck = median(pls.map((r) => r.lagAtAck));
    const maxLag = median(pls.map((r) => r.maxLag));
    const drainMs = median(pls.map((r) => r.drainMs));
    const cpuUs = median(pls.map((r) => r.cpuUs));
    const clientCpuUs = median(pls.map((r) => r.clientCpuUs));
    const anchor = median(direct);
    const body = table(
      ['row', 'esc serve', 'anchor', 'ratio', 'target', ''],
      [
        [
          `produce: ${PRODUCERS} producers, acknowledged (--sync batch)`,
          fmtRate(produce),
          `store.append in-process ${fmtRate(anchor)}; original ${ORIGINAL}`,
          fmtRatio(produce / anchor),
          '>= 100 k/s',
          produce >= 100_000 ? 'met' : 'not met',
        ],
        [
          `consume: each of ${CONSUMERS} subscribers, delivered during the produce window`,
          fmtRate(consume),
          `produce ${fmtRate(produce)}`,
          fmtRatio(consume / produce),
          `keeps up: >= ${KEEPS_UP}×`,
          consume / produce >= KEEPS_UP ? 'met' : 'not met',
        ],
        [
          'lag: at the last acknowledgement; the most seen during the produce',
          `${fmtCount(lagAtAck)}; max ${fmtCount(maxLag)}`,
          `of ${fmtCount(Math.floor(MESSAGES / PRODUCERS) * PRODUCERS)} messages`,
          '',
          'bounded',
          '',
        ],
        [
          'server CPU per message (user+system), with the 2 subscribers',
          `${cpuUs.toFixed(1)} µs`,
          `one core: ${fmtRate(1e6 / cpuUs)}`,
          '',
          '',
          '',
        ],
        [
          'bench process CPU per message (8 producers, 2 subscribers, both threads)',
          `${clientCpuUs.toFixed(1)} µs`,
          '',
          '',
          '',
          '',
        ],
      ],
    );
    return `${body}

${MESSAGES.toLocaleString('en')} messages of 1 KiB per round, ${ctx.rounds} rounds, medians; each round a fresh
\`esc serve --sync batch\` and directory. Producers pipeline PUBs and send a \`PNG <token>\` barrier every
${PER_BARRIER} (${BARRIERS_IN_FLIGHT} in flight); a message counts when the barrier after it is answered (appended per --sync).
The ${CONSUMERS} subscribers start at the end of the topic (\`SET -1\`, as the original's locust test) before the
producers start and count deliveries in batches (\`PlsClient.batches()\`), in a worker thread of the bench process
(its own event loop and OS thread, counts shared with the producers' thread through a SharedArrayBuffer; until
2026-12-03 they ran on the producers' event loop, which decided when deliveries were read). A subscriber keeps up when, at the moment
the last PUB is acknowledged, it has received at least ${KEEPS_UP}× of the messages: its delivery rate over the produce
window (first PUB to last acknowledgement) is then within ${Math.round((1 - KEEPS_UP) * 100)} % of the produce rate. The server holds
producers while a subscriber at the end lags by more than 4 MiB of frames (docs/serve.md, "Subscribers keep up"), so
the produce rate is one the subscribers keep up with. Lag is acknowledged minus
delivered (the slower subscriber), sampled at each barrier reply; the rest arrives ${drainMs.toFixed(0)} ms after the last
acknowledgement (median). The anchor is the same records
appended in appends of ${PER_BARRIER} by ${PRODUCERS} loops straight to \`@esc/streams\` in the bench process (no network,
no protocol), alternated with the server rounds. Rounds: produce ${pls.map((r) => fmtRate(r.produce)).join(', ')};
consume ${pls.map((r) => fmtRate(r.consume)).join(', ')} (first PUB to last delivery: ${pls.map((r) => fmtRate(r.consumeToEnd)).join(', ')});
keeps up ${pls.map((r) => fmtRatio(r.consume / r.produce)).join(', ')}; lag at the last acknowledgement ${pls.map((r) => fmtCount(r.lagAtAck)).join(', ')}
(max ${pls.map((r) => fmtCount(r.maxLag)).join(', ')}); anchor ${direct.map(fmtRate).join(', ')}. Load average (1 min, 2 cores) ${loadBefore.toFixed(1)}
before the rounds, ${loadavg()[0]!.toFixed(1)} after.`;
  },
};
