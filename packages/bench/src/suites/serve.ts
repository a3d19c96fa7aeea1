import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { fmtRate, fmtRatio, median, table } from '../measure.js';
import { processMemoryMiB } from '../process-memory.js';
import { fillPipelined, respCommand } from '../serve-bench/resp-fill.js';
import { type Server, startServer, stopServer } from '../server-process.js';

// ESC_BENCH_SERVE_REQUESTS shrinks a run (requests per redis-benchmark call without pipelining; ×5 with -P 16).
const REQUESTS = Number(process.env.ESC_BENCH_SERVE_REQUESTS ?? 100_000);
const CLIENTS = 50;

interface Row {
  label: string;
  /** redis-benchmark arguments selecting the test. */
  test: string[];
  /** The command a server must know for the row to run on it. */
  command: string;
}

const ROWS: Row[] = [
  { label: 'PING_MBULK', test: ['-t', 'ping_mbulk'], command: 'ping' },
  { label: 'SET', test: ['-t', 'set'], command: 'set' },
  { label: 'GET', test: ['-t', 'get'], command: 'get' },
  { label: 'INCR', test: ['-t', 'incr'], command: 'incr' },
  { label: 'MSET (10 keys)', test: ['-t', 'mset'], command: 'mset' },
  { label: 'XADD', test: ['XADD', 'bench:stream', '*', 'field', 'value'], command: 'xadd' },
];

/** Whether the server knows the command (COMMAND INFO answers nil for an unknown one). */
function serves(s: Server, command: string): boolean {
  const out = execFileSync('redis-cli', ['-p', String(s.port), 'COMMAND', 'INFO', command], { encoding: 'utf8' });
  return out.trim() !== '';
}

/** The server's CPU time so far (user + system, /proc/PID/stat, in ms). */
function cpuMs(s: Server): number {
  const fields = readFileSync(`/proc/${s.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The memory row: stream entries and string keys in one server. */
const FILL_ENTRIES = 1_000_000;
const FILL_KEYS = 100_000;

/** Fills a server with FILL_ENTRIES stream entries and FILL_KEYS keys, checks it holds them, and reads its RSS. */
async function fillAndMeasure(s: Server): Promise<[rss: number, peak: number]> {
  await fillPipelined(s.port, FILL_ENTRIES, (i) => respCommand(['XADD', 'bench:rss', '*', 'field', String(i)]));
  await fillPipelined(s.port, FILL_KEYS, (i) => respCommand(['SET', `key:${i}`, `value:${i}`]));
  const cli = (...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(s.port), ...args], { encoding: 'utf8' }).trim();
  const entries = Number(cli('XLEN', 'bench:rss'));
  const keys = Number(cli('DBSIZE'));
  if (entries !== FILL_ENTRIES || keys !== FILL_KEYS + 1)
    throw new Error(`${s.label}: XLEN ${entries}, DBSIZE ${keys} after the fill`);
  const { rss, peak } = processMemoryMiB(s.child.pid!);
  return [rss, peak];
}

interface Run {
  rps: number;
  /** Server CPU microseconds per request: on this shared machine steadier than requests/s. */
  cpuUs: number;
}

/** Requests per second of one redis-benchmark run, and the server's CPU per request. */
function benchmark(s: Server, row: Row, pipeline: number): Run {
  const n = pipeline > 1 ? REQUESTS * 5 : REQUESTS;
  const cpu0 = cpuMs(s);
  const csv = execFileSync(
    'redis-benchmark',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(s.port),
      '-c',
      String(CLIENTS),
      '-n',
      String(n),
      '-P',
      String(pipeline),
      '--csv',
      ...row.test,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const last = csv.trim().split('\n').pop()!;
  const rps = Number(JSON.parse(`[${last}]`)[1]);
  if (!Number.isFinite(rps) || rps <= 0) throw new Error(`redis-benchmark: no rate in ${csv}`);
  return { rps, cpuUs: ((cpuMs(s) - cpu0) * 1000) / n };
}

/** Medians of alternating runs (A B C, A B C, …) of one row over the servers that serve it. */
function alternateRuns(servers: Server[], row: Row, pipeline: number, rounds: number): (Run | null)[] {
  const live = servers.map((s) => serves(s, row.command));
  const runs: Run[][] = servers.map(() => []);
  for (let r = 0; r < rounds; r++)
    servers.forEach((s, i) => {
      if (live[i]) runs[i]!.push(benchmark(s, row, pipeline));
    });
  return runs.map((r, i) =>
    live[i] ? { rps: median(r.map((x) => x.rps)), cpuUs: median(r.map((x) => x.cpuUs)) } : null,
  );
}

const rate = (v: Run | null) => (v === null ? 'not served' : `${fmtRate(v.rps)} (${v.cpuUs.toFixed(1)} µs)`);
/** esc ÷ redis in requests/s, and redis ÷ esc in CPU per request (both: above 1 is esc ahead). */
const ratio = (v: Run | null, anchor: Run | null) =>
  v === null || anchor === null ? '–' : `${fmtRatio(v.rps / anchor.rps)} (${fmtRatio(anchor.cpuUs / v.cpuUs)})`;

export const suite: BenchSuite = {
  name: 'serve',
  title: 'serve: redis-benchmark against redis-server and esc serve',
  async run(ctx: BenchContext): Promise<string> {
    const stubServer = join(import.meta.dirname, '..', 'serve-bench', 'stub-server.js');
    const redis = (fsync: string) =>
      startServer(
        `redis-server (appendfsync ${fsync})`,
        (port, dir) => [
          'redis-server',
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          fsync,
          '--dir',
          dir,
        ],
        /Ready to accept connections/,
      );
    const esc = (sync: string) =>
      startServer(
        `esc serve --sync ${sync}`,
        (port, dir) => [
          ...ctx.esc,
          'serve',
          '--dir',
          dir,
          '--resp-port',
          String(port),
          '--pls-port',
          '0',
          '--http-port',
          '0',
          '--sync',
          sync,
          '--log-level',
          'warn',
        ],
        /esc serve: listening/,
      );
    const servers = [
      await redis('everysec'),
      await startServer(
        'esc front-end + Map stub',
        (port, dir) => [process.execPath, stubServer, String(port), dir],
        /ready/,
      ),
      await esc('batch'),
    ];
    const rows: string[][] = [];
    try {
      for (const pipeline of [1, 16])
        for (const row of ROWS) {
          ctx.log(`serve: ${row.label} -P ${pipeline}`);
          const [r, stub, e] = alternateRuns(servers, row, pipeline, ctx.rounds);
          rows.push([row.label, String(pipeline), rate(r!), rate(stub!), ratio(stub!, r!), rate(e!), ratio(e!, r!)]);
        }
    } finally {
      for (const s of servers) await stopServer(s);
    }
    ctx.log(`serve: RSS with ${FILL_ENTRIES.toLocaleString('en')} entries and ${FILL_KEYS.toLocaleString('en')} keys`);
    const memoryRows: string[][] = [];
    for (const server of [await redis('everysec'), await esc('batch')]) {
      try {
        memoryRows.push([server.label, ...(await fillAndMeasure(server)).map((v) => v.toFixed(0))]);
      } finally {
        await stopServer(server);
      }
    }
    const floorServer = join(import.meta.dirname, '..', 'serve-bench', 'durable-floor-server.js');
    const durable = [
      await redis('always'),
      await startServer(
        'durable floor (Node)',
        (port, dir) => [process.execPath, floorServer, String(port), dir],
        /ready/,
      ),
      await startServer(
        'durable floor, preallocated file',
        (port, dir) => [process.execPath, floorServer, String(port), dir, 'preallocated'],
        /ready/,
      ),
      await esc('always'),
    ];
    const durableRows: string[][] = [];
    try {
      for (const row of ROWS.filter((x) => x.label === 'SET' || x.label === 'XADD')) {
        ctx.log(`serve: durable ${row.label}`);
        const [r, floor, prealloc, e] = alternateRuns(durable, row, 1, ctx.rounds);
        durableRows.push([
          row.label,
          rate(r!),
          rate(floor!),
          ratio(floor!, r!),
          rate(prealloc!),
          ratio(prealloc!, r!),
          rate(e!),
          ratio(e!, r!),
        ]);
      }
    } finally {
      for (const s of durable) await stopServer(s);
    }
    return `\`redis-benchmark -c ${CLIENTS} -n ${REQUESTS} (×5 with -P 16)\` on loopback, each row alternating between the
servers ${ctx.rounds} times (medians). redis-server runs with \`--appendonly yes --appendfsync everysec\`, esc serve
with \`--sync batch\`. "esc front-end + Map stub" is esc serve's RESP front-end (parser, dispatcher, encoder,
connections) over Maps (packages/bench/src/serve-bench/stub-string-family.ts): the cost of the protocol layer
alone, without a store. Targets: ≥ 0.9× without pipelining, ≥ 0.4× with -P 16. Each cell: requests/s and, in
parentheses, the server's CPU time per request (/proc/PID/stat); each ratio: esc ÷ redis-server in requests/s and,
in parentheses, redis-server ÷ esc in CPU per request (the throughput ratio if both were CPU-bound on one core,
steadier on this shared machine than requests/s).

${table(['test', '-P', 'redis-server', 'esc front-end + Map stub', 'ratio', 'esc serve', 'ratio'], rows)}

Durable writes: redis-server \`--appendfsync always\` against esc serve \`--sync always\`, ${CLIENTS} clients, no
pipelining (target ≥ 1.0×). "durable floor (Node)" is the least a Node server can do for the same acknowledgement
(packages/bench/src/serve-bench/durable-floor-server.ts): esc serve's socket reads, RESP framing only, the bytes
read appended to a file and one fdatasync per event-loop turn before every reply is \`+OK\`; no parser, keyspace
or journal. What esc serve does beyond it costs on top of it. "preallocated" is the same floor writing into a
file zeroed and synced ahead of the writes (no size or allocation for the fdatasync to record), which neither
redis-server nor esc serve does.

${table(
  ['test', 'redis-server', 'durable floor (Node)', 'ratio', 'floor, preallocated', 'ratio', 'esc serve', 'ratio'],
  durableRows,
)}

Memory: each server fresh, filled over one pipelined connection with ${FILL_ENTRIES.toLocaleString('en')} \`XADD bench:rss *
field <i>\` and ${FILL_KEYS.toLocaleString('en')} \`SET key:<i> value:<i>\`, then its RSS (/proc/PID/status VmRSS, and VmHWM
for the peak) once the last reply came back, in MiB. Target for esc serve: at most 300 MiB.

${table(['server', 'RSS after the fill', 'peak RSS'], memoryRows)}`;
  },
};
