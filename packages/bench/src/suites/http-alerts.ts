import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { fmtMs, fmtRate, median, table } from '../measure.js';
import { freePort } from '../free-port.js';

const SAMPLES = 300;
const LOAD_CONNECTIONS = 8;
const LOAD_BATCH = 100;

/** The built `esc serve`, HTTP only, `--sync batch`, with `rules`; resolves with its base URL once it listens. */
async function startServer(
  ctx: BenchContext,
  dir: string,
  rulesFile: string,
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const args = ['serve', '--dir', dir, '--resp-port', '0', '--pls-port', '0', '--http-port', String(port)];
  const child = spawn(
    ctx.esc[0]!,
    [...ctx.esc.slice(1), ...args, '--sync', 'batch', '--rules', rulesFile, '--log-level', 'error'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening (http')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`esc serve exited with ${code}: ${err}`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

/**
 * Background ingest load from a second process: keep-alive connections posting NDJSON batches of INFO events
 * (which no rule counts) until killed; it prints its events/s when it stops.
 */
function startLoad(base: string): ChildProcess {
  const script = `
    const body = Array.from({ length: ${LOAD_BATCH} }, (_, i) => JSON.stringify({ level: 'INFO', service: 'load', message: 'request ' + i })).join('\\n');
    let sent = 0; let stop = false; const t0 = performance.now();
    process.on('SIGTERM', () => { stop = true; });
    await Promise.all(Array.from({ length: ${LOAD_CONNECTIONS} }, async () => {
      while (!stop) {
        const res = await fetch(${JSON.stringify(base)} + '/ingest', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
        await res.arrayBuffer();
        if (res.ok) sent += ${LOAD_BATCH};
      }
    }));
    console.log(Math.round(sent / ((performance.now() - t0) / 1000)));`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The `alert` events of GET /alerts/stream, each with the time it arrived. */
async function watchAlerts(
  base: string,
  signal: AbortSignal,
  onAlert: (seq: number, at: number) => void,
): Promise<void> {
  const res = await fetch(`${base}/alerts/stream`, { signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.includes('event: alert')) continue;
          const data = /^data: (.*)$/m.exec(block)![1]!;
          const record = JSON.parse(data) as { seq: number; status: string };
          if (record.status === 'firing') onAlert(record.seq, at);
        }
      }
    } catch {
      // Aborted at the end of the run.
    }
  })();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Alert latency: one ERROR posted at a time (a rule of threshold 1 over 1 ms, so each one fires), from the
 * moment its POST /ingest reply arrives to the moment the `firing` event arrives on GET /alerts/stream, with
 * and without ingest load from another process. The engine fires inside the append's hook, before the reply
 * is sent, so the event may arrive first: that counts as 0.
 */
async function measureLatency(
  ctx: BenchContext,
  loaded: boolean,
): Promise<{ latencies: number[]; load: number | null }> {
  const dir = join(ctx.dataDir, 'http-alerts');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rulesFile = join(dir, 'rules.json');
  writeFileSync(
    rulesFile,
    JSON.stringify({ rules: [{ name: 'latency', level: 'ERROR', threshold: 1, window: '1ms' }] }),
  );
  const { child, base } = await startServer(ctx, join(dir, 'streams'), rulesFile);
  const abort = new AbortController();
  let waiting: ((at: number) => void) | null = null;
  await watchAlerts(base, abort.signal, (_seq, at) => waiting?.(at));
  const load = loaded ? startLoad(base) : null;
  let loadRate: number | null = null;
  const loadDone =
    load === null
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          let out = '';
          load.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          load.on('exit', () => {
            loadRate = Number(out.trim());
            resolve();
          });
        });
  await new Promise((r) => setTimeout(r, loaded ? 1000 : 100));
  const latencies: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const alerted = new Promise<number>((resolve) => (waiting = resolve));
      const res = await fetch(`${base}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ level: 'ERROR', service: 'bench', message: `sample ${i}` }),
      });
      const replied = performance.now();
      await res.arrayBuffer();
      const at = await alerted;
      latencies.push(Math.max(0, at - replied));
      // Let the 1 ms window pass, so the rule resolves before the next sample.
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    load?.kill('SIGTERM');
    await loadDone;
    abort.abort();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return { latencies, load: loadRate };
}

/**
 * The engine's CPU per event in its own process: 2 M events (4 in 7 INFO, WARN, ERROR, CRIT) through
 * LogStream's two default rules, as ingestion calls it; the median of 5 rounds.
 */
function engineCostNs(): number {
  const dist = (file: string) => JSON.stringify(join(REPO_ROOT, 'packages/http/dist/alerts', file));
  const script = `
    import { AlertEngine } from ${dist('alert-engine.js')};
    import { defaultRuleSet } from ${dist('alert-rules.js')};
    import { systemClock } from ${dist('alert-clock.js')};
    const levels = ['INFO', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'CRIT'];
    const N = 2_000_000;
    const events = Array.from({ length: 1000 }, (_, i) => ({ id: 'e' + i, level: levels[i % 7], service: 's' + (i % 5), message: 'message ' + i, receivedAt: 0 }));
    const costs = [];
    for (let round = 0; round < 5; round++) {
      const engine = new AlertEngine(defaultRuleSet().rules, systemClock, () => {});
      const start = process.cpuUsage();
      const now = Date.now();
      for (let i = 0; i < N; i++) { const e = events[i % 1000]; e.receivedAt = now + (i >> 10); engine.observe(e); }
      const used = process.cpuUsage(start);
      engine.close();
      costs.push(((used.user + used.system) * 1000) / N);
    }
    console.log(costs.sort((a, b) => a - b)[2]);`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

export const suite: BenchSuite = {
  name: 'http-alerts',
  title: 'HTTP alerts: latency from the ingest reply to the SSE alert event',
  async run(ctx) {
    // The machine is shared: the load around the run says how much of the tail is other people's work.
    const loadBefore = loadavg()[0]!;
    const rows: string[][] = [];
    for (const loaded of [false, true]) {
      const all: number[] = [];
      let loadRates: number[] = [];
      for (let round = 0; round < Math.max(1, Math.min(ctx.rounds, 3)); round++) {
        const { latencies, load } = await measureLatency(ctx, loaded);
        all.push(...latencies);
        if (load !== null) loadRates.push(load);
        ctx.log(
          `  ${loaded ? 'under load' : 'idle'} round ${round + 1}: p99 ${fmtMs(
            percentile(
              [...latencies].sort((a, b) => a - b),
              99,
            ),
          )}`,
        );
      }
      const sorted = all.sort((a, b) => a - b);
      loadRates = loadRates.sort((a, b) => a - b);
      rows.push([
        loaded
          ? `under ingest load (${LOAD_CONNECTIONS} connections, NDJSON ×${LOAD_BATCH}, ${fmtRate(median(loadRates))} events)`
          : 'idle server',
        String(sorted.length),
        fmtMs(percentile(sorted, 50)),
        fmtMs(percentile(sorted, 99)),
        fmtMs(sorted[sorted.length - 1]!),
        percentile(sorted, 99) <= 50 ? 'met' : 'not met',
      ]);
    }
    const cost = engineCostNs();
    const load = `${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (${cpus().length} cores)`;
    return `${table(['server', 'samples', 'p50', 'p99', 'max', 'p99 ≤ 50 ms'], rows)}

Engine CPU per ingested event, LogStream's two rules, 2 M events in one process: ${cost.toFixed(0)} ns.
Load average (1 min) around the run: ${load}.

One ERROR at a time under a rule of threshold 1 (each fires), \`--sync batch\`; the time from the POST /ingest
reply reaching the client to the \`firing\` event reaching a GET /alerts/stream client (0 when the event came
first: the engine runs in the append's hook, before the reply). Load comes from a second process.`;
  },
};
