import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { fmtRate, fmtRatio, median, table } from '../measure.js';
import { freePort } from '../free-port.js';
import { processMemoryMiB } from '../process-memory.js';

// run.ts has no --events flag; ESC_BENCH_HTTP_EVENTS shrinks the stored-events phase.
const EVENTS = Number(process.env.ESC_BENCH_HTTP_EVENTS ?? 1_000_000);
const LOAD_SECONDS = 5;
const QUERY_SECONDS = 10;
const BATCH = 1000;
const SERVICES = 20;
const DAY = 86_400_000;
const CLOCK_TICKS = 100;

const SINGLE = JSON.stringify({
  level: 'ERROR',
  message: 'Database connection failed',
  service: 'user-service',
  metadata: { user_id: '12345' },
});

/** NDJSON of BATCH events from `start`, event times spread over the day before `t0 + DAY`. */
function ndjson(start: number, t0: number, total: number): string {
  const levels = ['INFO', 'INFO', 'INFO', 'INFO', 'INFO', 'INFO', 'WARN', 'WARN', 'ERROR', 'DEBUG'];
  let body = '';
  for (let j = start; j < start + BATCH; j++)
    body += `${JSON.stringify({
      level: levels[j % 10],
      service: `svc-${j % SERVICES}`,
      message: `request ${j} took ${j % 997} ms for user ${j % 4099}`,
      timestamp: t0 + Math.floor((j * DAY) / total),
      metadata: { n: j },
    })}\n`;
  return body;
}

interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server child and waits for the line that says where it listens. */
function startChild(argv: string[], ready: RegExp): Promise<Child> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} did not start: ${text}`)), 600_000);
    const onData = (d: Buffer) => {
      text += d.toString();
      const m = ready.exec(text);
      if (m === null) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        process: child,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited (${code}): ${text}`)));
  });
}

async function startEsc(ctx: BenchContext, dir: string): Promise<Child> {
  const port = await freePort();
  const argv = [...ctx.esc, 'serve', '--dir', dir, '--resp-port', '0', '--pls-port', '0'];
  argv.push('--http-port', String(port), '--sync', 'batch', '--log-level', 'warn');
  return startChild(argv, /listening \(http (\S+)\)/).then((c) => ({ ...c, url: `http://${c.url}` }));
}

function startAnchor(): Promise<Child> {
  const script = fileURLToPath(new URL('../baselines/http-echo-baseline.js', import.meta.url));
  return startChild([process.execPath, script], /^(http:\/\/\S+)$/m);
}

/** CPU seconds the process has used (utime + stime from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function assertOk(r: Result, what: string): void {
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${what}: ${r.non2xx} non-2xx replies, ${r.errors} errors`);
}

/** Events/s acknowledged and server CPU µs per event under a load of single events or NDJSON batches. */
async function ingestLoad(server: Child, batch: boolean, t0: number): Promise<{ rate: number; cpuUs: number }> {
  const cpu0 = cpuSeconds(server.process.pid!);
  const r = await autocannon({
    url: `${server.url}/ingest`,
    method: 'POST',
    connections: batch ? 8 : 50,
    duration: LOAD_SECONDS,
    headers: { 'content-type': batch ? 'application/x-ndjson' : 'application/json' },
    body: batch ? ndjson(0, t0, BATCH) : SINGLE,
  });
  assertOk(r, batch ? 'NDJSON ingest' : 'single-event ingest');
  const events = r['2xx'] * (batch ? BATCH : 1);
  return { rate: events / r.duration, cpuUs: ((cpuSeconds(server.process.pid!) - cpu0) * 1e6) / events };
}

/** Latencies of one query, one connection in a loop, while `load` (another autocannon) ingests. */
async function queryUnderLoad(
  server: Child,
  path: string,
  loaded: boolean,
): Promise<{ p50: number; p99: number; loadRate: number }> {
  const load = loaded
    ? autocannon({
        url: `${server.url}/ingest`,
        method: 'POST',
        connections: 50,
        duration: QUERY_SECONDS,
        headers: { 'content-type': 'application/json' },
        body: SINGLE,
      })
    : null;
  const q = await autocannon({ url: `${server.url}${path}`, connections: 1, duration: QUERY_SECONDS });
  assertOk(q, path);
  const l = await load;
  if (l) assertOk(l, 'ingest load');
  return { p50: q.latency.p50, p99: q.latency.p99, loadRate: l ? l['2xx'] / l.duration : 0 };
}

export const suite: BenchSuite = {
  name: 'http',
  title: 'http: the HTTP front-end of esc serve (LogStream’s API)',
  async run(ctx: BenchContext) {
    const loadBefore = loadavg()[0]!;
    const base = join(ctx.dataDir, 'http');
    rmSync(base, { recursive: true, force: true });
    const t0 = Date.now() - DAY;
    const rows: Record<string, number[]> = {};
    const add = (name: string, v: number) => {
      rows[name] ??= [];
      rows[name].push(v);
    };
    const m = (name: string) => median(rows[name]!);

    // Throughput: esc and the bare-fastify anchor alternately, a fresh esc store each round.
    for (let round = 0; round < ctx.rounds; round++) {
      ctx.log(`http: ingest round ${round + 1} of ${ctx.rounds}`);
      const esc = await startEsc(ctx, join(base, `ingest-${round}`));
      const anchor = await startAnchor();
      try {
        for (const batch of [false, true]) {
          const kind = batch ? 'ndjson' : 'single';
          const e = await ingestLoad(esc, batch, t0);
          add(`${kind}`, e.rate);
          add(`${kind}Cpu`, e.cpuUs);
          const a = await ingestLoad(anchor, batch, t0);
          add(`${kind}Anchor`, a.rate);
          add(`${kind}AnchorCpu`, a.cpuUs);
        }
      } finally {
        await esc.stop();
        await anchor.stop();
        rmSync(join(base, `ingest-${round}`), { recursive: true, force: true });
      }
    }

    // EVENTS stored, then the server restarted (the indexes rebuilt from the topic), then queries.
    ctx.log(`http: storing ${EVENTS} events`);
    const dir = join(base, 'stored');
    let esc = await startEsc(ctx, dir);
    for (let i = 0; i < EVENTS; i += BATCH * 8)
      await Promise.all(
        Array.from({ length: Math.min(8, (EVENTS - i) / BATCH) }, async (_, k) => {
          const res = await fetch(`${esc.url}/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body: ndjson(i + k * BATCH, t0, EVENTS),
          });
          if (res.status !== 200) throw new Error(`fill: ${res.status} ${await res.text()}`);
        }),
      );
    const filled = processMemoryMiB(esc.process.pid!);
    await esc.stop();
    const restart0 = performance.now();
    esc = await startEsc(ctx, dir);
    const restartMs = performance.now() - restart0;
    const rebuilt = processMemoryMiB(esc.process.pid!);
    const since = new Date(t0 + 10 * 3_600_000).toISOString();
    const until = new Date(t0 + 10 * 3_600_000 + 600_000).toISOString();
    const queries = [
      ['`level=ERROR&limit=100`', '/logs?level=ERROR&limit=100'],
      ['`service` + 10-minute range, `limit=100`', `/logs?service=svc-7&since=${since}&until=${until}&limit=100`],
    ] as const;
    const queryRows: string[][] = [];
    let loaded = { rss: 0, peak: 0 };
    try {
      for (const [label, path] of queries) {
        ctx.log(`http: ${path}`);
        const quiet = await queryUnderLoad(esc, path, false);
        const busy = await queryUnderLoad(esc, path, true);
        queryRows.push([
          label,
          `${quiet.p50} / ${quiet.p99} ms`,
          `${busy.p50} / ${busy.p99} ms`,
          fmtRate(busy.loadRate),
          '<= 10 ms',
          busy.p99 <= 10 ? 'met' : 'not met',
        ]);
      }
      loaded = processMemoryMiB(esc.process.pid!);
    } finally {
      await esc.stop();
      rmSync(base, { recursive: true, force: true });
    }

    const check = (ok: boolean) => (ok ? 'met' : 'not met');
    const ingest = table(
      ['row', 'esc', 'server CPU per event', 'anchor (fastify, nothing stored)', 'ratio', 'target', ''],
      [
        [
          'single-event POST /ingest, 50 connections, --sync batch',
          fmtRate(m('single')),
          `${m('singleCpu').toFixed(0)} µs`,
          `${fmtRate(m('singleAnchor'))} (${m('singleAnchorCpu').toFixed(0)} µs)`,
          fmtRatio(m('single') / m('singleAnchor')),
          '>= 30 k/s',
          check(m('single') >= 30_000),
        ],
        [
          'NDJSON batches of 1,000, 8 connections',
          fmtRate(m('ndjson')),
          `${m('ndjsonCpu').toFixed(1)} µs`,
          `${fmtRate(m('ndjsonAnchor'))} (${m('ndjsonAnchorCpu').toFixed(1)} µs)`,
          fmtRatio(m('ndjson') / m('ndjsonAnchor')),
          '>= 300 k/s',
          check(m('ndjson') >= 300_000),
        ],
      ],
    );
    const queryTable = table(
      ['query, 1M events stored', 'p50 / p99 idle', 'p50 / p99 under ingest load', 'ingest meanwhile', 'target', ''],
      queryRows,
    );
    const memory = table(
      ['server RSS', 'MiB', 'target', ''],
      [
        [`after storing ${EVENTS.toLocaleString('en')} events`, filled.rss.toFixed(0), '', ''],
        [
          `after a restart (indexes rebuilt in ${(restartMs / 1000).toFixed(1)} s)`,
          rebuilt.rss.toFixed(0),
          '<= 500',
          check(rebuilt.rss <= 500),
        ],
        [
          'after the query rows (more events ingested meanwhile); peak',
          `${loaded.rss.toFixed(0)}; ${loaded.peak.toFixed(0)}`,
          '<= 500',
          check(loaded.peak <= 500),
        ],
      ],
    );
    const load = `${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (${cpus().length} cores)`;
    return `Load from this process with autocannon (keep-alive), the server a child process (\`esc serve --sync batch\`,
HTTP only); ${ctx.rounds} alternated rounds of ${LOAD_SECONDS} s each for the ingest rows, medians. The anchor is a bare
fastify server answering POST /ingest the same way without storing anything: the ratio is the share of the framework's
ceiling esc keeps with its storage and indexes. Server CPU per event (from /proc) is the figure least moved by the
other processes on this shared machine. Query latencies are autocannon's (whole milliseconds), one connection in a
loop for ${QUERY_SECONDS} s, idle and while 50 connections ingest single events.

${ingest}

${queryTable}

${memory}

Load average (1 min) around the run: ${load}.`;
  },
};
