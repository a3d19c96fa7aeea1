import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import { crc32c } from '@node-rs/crc32';
import { encodeBatch, openStreams, type ProduceRecord, type TopicStore } from '@esc/streams';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { fmtMiB, fmtRate, fmtRatio, measure, median, table } from '../measure.js';

// run.ts has no --records flag; ESC_BENCH_RECORDS shrinks the run.
const RECORDS = Number(process.env.ESC_BENCH_RECORDS ?? 1_000_000);
const BATCH = 1000;
const KEYS = 10_000;
const VALUE = Buffer.alloc(100, 'v');
/** Kafka's published single-machine figures (one thread, 100-byte records, no replication). */
const KAFKA_PRODUCE = 821_557;
const KAFKA_CONSUME = 940_521;

// The keys are made once, outside the timed loops (Kafka's ProducerPerformance also builds its payloads before
// timing): a Buffer.from per record measured the caller's allocations (a quarter of the produce row's CPU).
const KEY_BYTES = Array.from({ length: KEYS }, (_, i) => Buffer.from(`key-${String(i).padStart(12, '0')}`));
const key = (i: number) => KEY_BYTES[i % KEYS]!;

// The same keys as columns of one append each (appends start at multiples of BATCH, KEYS is a multiple of it).
const KEY_COLUMNS = Array.from({ length: KEYS / BATCH }, (_, b) => KEY_BYTES.slice(b * BATCH, (b + 1) * BATCH));
const VALUE_COLUMN = new Array<Buffer>(BATCH).fill(VALUE);

function batchOf(start: number): ProduceRecord[] {
  const batch: ProduceRecord[] = new Array(BATCH);
  for (let j = 0; j < BATCH; j++) batch[j] = { key: key(start + j), value: VALUE };
  return batch;
}

function logBytes(store: TopicStore, topic: string): number {
  return store.describeTopic(topic).partitions.reduce((n, p) => n + p.bytes, 0);
}

/** How a produce row hands its records to the library. */
type ProduceWay = 'records' | 'columns' | 'batches';

interface Timed {
  /** Seconds of wall time and of CPU time (user + system, every thread of this process). */
  wall: number;
  cpu: number;
}

function timed(fn: () => void): Timed {
  const c0 = cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = (performance.now() - t0) / 1000;
  const c = cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function timedAsync(fn: () => Promise<void>): Promise<Timed> {
  const c0 = cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Batches encoded by the caller before timing, as Kafka's clients encode the batches its broker receives: one
 * per column of keys (offsets from 0: the log patches them).
 */
const CALLER_BATCHES = (() => {
  const now = Date.now();
  return KEY_COLUMNS.map((keys) =>
    encodeBatch(keys.map((key, offset) => ({ offset, timestamp: now, key, value: VALUE, headers: [] }))),
  );
})();

/** Produces RECORDS records in appends of BATCH; returns the time it took and the log's bytes on disk. */
async function produce(
  store: TopicStore,
  topic: string,
  way: ProduceWay = 'records',
): Promise<Timed & { bytes: number }> {
  store.createTopic(topic);
  const t = await timedAsync(async () => {
    for (let i = 0; i < RECORDS; i += BATCH) {
      const b = (i / BATCH) % KEY_COLUMNS.length;
      if (way === 'records') await store.append(topic, batchOf(i));
      else if (way === 'columns') await store.produce(topic, { keys: KEY_COLUMNS[b]!, values: VALUE_COLUMN });
      else await store.appendBatch(topic, 0, CALLER_BATCHES[b]!);
    }
  });
  return { ...t, bytes: logBytes(store, topic) };
}

/**
 * The disk's sequential-write ceiling as the issue defines it: the same bytes as the log holds (framing
 * included: the produce rows count the same bytes), in plain write calls of one append's size each, to a fresh
 * file beside the topic, no sync (as the produce rows). One buffer is written again and again.
 */
function diskCeiling(path: string, totalBytes: number, chunkBytes: number): Timed {
  const chunk = Buffer.alloc(chunkBytes, 1);
  const fd = openSync(path, 'w');
  const t = timed(() => {
    for (let done = 0; done < totalBytes; done += chunkBytes) writeSync(fd, chunk);
  });
  closeSync(fd);
  rmSync(path);
  return t;
}

/**
 * The least JavaScript can do for one append of the produce rows, written to a plain file: each key and value
 * copied into one reused buffer at the place the record format gives it (2,000 TypedArray.set calls, the
 * per-call floor of a copy out of 2,000 separate Buffers), with `crc` the CRC-32C of those bytes that every
 * batch carries (the library's CRC), then one write; no framing, offsets, index or log state. The same bytes
 * and write sizes as the ceiling: a floor under 0.5× of it puts the 0.5× row out of JavaScript's reach.
 */
function jsFloor(path: string, totalBytes: number, crc: boolean): Timed {
  const appendBytes = Math.round(totalBytes / (RECORDS / BATCH));
  const stride = Math.floor((appendBytes - 61) / BATCH);
  const out = Buffer.alloc(appendBytes);
  const fd = openSync(path, 'w');
  const t = timed(() => {
    for (let i = 0; i < RECORDS; i += BATCH) {
      const keys = KEY_COLUMNS[(i / BATCH) % KEY_COLUMNS.length]!;
      for (let j = 0, at = 61; j < BATCH; j++, at += stride) {
        out.set(keys[j]!, at + 8);
        out.set(VALUE_COLUMN[j]!, at + 26);
      }
      if (crc) out.writeUInt32BE(crc32c(out.subarray(21)), 17);
      writeSync(fd, out);
    }
  });
  closeSync(fd);
  rmSync(path);
  return t;
}

function consumeRate(store: TopicStore, topic: string): number {
  const t0 = performance.now();
  let n = 0;
  const reader = store.reader(topic, 0, 'earliest');
  for (let b = reader.poll(); b.length > 0; b = reader.poll()) n += b.length;
  reader.close();
  return n / ((performance.now() - t0) / 1000);
}

/** One producer awaiting each record with sync always. */
async function syncedOneAtATime(store: TopicStore, topic: string, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await store.append(topic, [{ key: key(i), value: VALUE }], { sync: 'always' });
  return count / ((performance.now() - t0) / 1000);
}

async function syncedConcurrent(store: TopicStore, topic: string, producers: number, each: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      for (let i = 0; i < each; i++)
        await store.append(topic, [{ key: key(p * each + i), value: VALUE }], { sync: 'always' });
    }),
  );
  return (producers * each) / ((performance.now() - t0) / 1000);
}

/** A bare append + fdatasync loop of records of the same size: the floor of one synced producer. */
function bareSyncedAppends(path: string, count: number, recordBytes: number): number {
  const record = Buffer.alloc(recordBytes, 1);
  const fd = openSync(path, 'w');
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    writeSync(fd, record);
    fdatasyncSync(fd);
  }
  const s = (performance.now() - t0) / 1000;
  closeSync(fd);
  rmSync(path);
  return count / s;
}

export const suite: BenchSuite = {
  name: 'streams',
  title: 'streams: topics against Kafka’s figures and the disk',
  async run(ctx: BenchContext) {
    const dir = join(ctx.dataDir, 'streams');
    const rows: Record<string, number[]> = {};
    const add = (name: string, v: number) => {
      rows[name] ??= [];
      rows[name].push(v);
    };
    let cleaned = { records: 0, bytesIn: 0 };
    const bytesOf: Record<ProduceWay, number> = { records: 0, columns: 0, batches: 0 };
    const expectedBytes = (way: ProduceWay) => bytesOf[way] || RECORDS * (24 + 16 + 100) + (RECORDS / BATCH) * 42;
    for (let round = 0; round < ctx.rounds; round++) {
      ctx.log(`streams: round ${round + 1} of ${ctx.rounds}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const store = openStreams(join(dir, 'topics'), {
        onWarning: ctx.log,
        maintenanceIntervalMs: Number.POSITIVE_INFINITY,
      });
      try {
        // Each produce row and the ceiling of its bytes, in the same round; the order alternates between rounds
        // so that neither side always runs first (the page cache, the other helpers' load).
        for (const way of ['columns', 'records', 'batches'] as const) {
          const topic = way === 'records' ? 'bench' : `bench-${way}`;
          let p: Timed & { bytes: number };
          let ceiling: Timed;
          const ceilingOf = (bytes: number) =>
            diskCeiling(join(dir, 'ceiling'), bytes, Math.round(bytes / (RECORDS / BATCH)));
          if (round % 2 === 0) {
            p = await produce(store, topic, way);
            ceiling = ceilingOf(p.bytes);
          } else {
            // The bytes are known in advance: every round writes the same records.
            ceiling = ceilingOf(expectedBytes(way));
            p = await produce(store, topic, way);
          }
          add(`${way}Rate`, RECORDS / p.wall);
          add(`${way}MBps`, p.bytes / p.wall / 1e6);
          add(`${way}Disk`, p.bytes / ceiling.wall / 1e6);
          add(`${way}Ratio`, ceiling.wall / p.wall);
          add(`${way}CpuRatio`, ceiling.cpu / p.cpu);
          bytesOf[way] = p.bytes;
          if (way !== 'records') await store.deleteTopic(topic);
        }
        // The JavaScript floor of the columns row, beside its own ceiling (alternating as above).
        for (const crc of [false, true]) {
          const bytes = expectedBytes('columns');
          const ceiling = diskCeiling(join(dir, 'ceiling'), bytes, Math.round(bytes / (RECORDS / BATCH)));
          add(crc ? 'floorCrcRatio' : 'floorRatio', ceiling.wall / jsFloor(join(dir, 'floor'), bytes, crc).wall);
        }
        add('consume', consumeRate(store, 'bench'));

        store.createTopic('synced');
        // The first append creates the segment (files, a directory sync): a one-time cost, not the steady rate.
        await store.append('synced', [{ key: key(0), value: VALUE }], { sync: 'always' });
        add('synced1', await syncedOneAtATime(store, 'synced', 200));
        add('bareSync', bareSyncedAppends(join(dir, 'bare'), 200, 182));
        add('synced64', await syncedConcurrent(store, 'synced', 64, 20));

        // Compaction alone, then a consumer of another topic while the cleaner runs on its thread.
        const dirty = await dirtyTopic(store, 'dirty');
        const t0 = performance.now();
        const [result] = await store.compact('dirty');
        const s = (performance.now() - t0) / 1000;
        const bytesIn = result!.groups.reduce((n, g) => n + g.bytesIn, 0);
        add('cleanerMBps', bytesIn / s / 1e6);
        cleaned = { records: dirty.active + result!.groups.reduce((n, g) => n + g.recordsOut, 0), bytesIn };
        await dirtyTopic(store, 'dirty2');
        add('consumeAlone', consumeRate(store, 'bench'));
        const compaction = store.compact('dirty2');
        add('consumeDuring', consumeRate(store, 'bench'));
        await compaction;
      } finally {
        await store.close();
      }
    }

    // Peak RSS of the CLI producing and consuming RECORDS records (a file of key:value lines).
    const input = join(ctx.dataDir, `streams-input-${RECORDS}.txt`);
    const lines: string[] = [];
    for (let i = 0; i < RECORDS; i++) lines.push(`${key(i).toString()}:${VALUE.toString()}`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    const env = { ...process.env, ESC_STREAMS_DIR: join(dir, 'cli') };
    rmSync(join(dir, 'cli'), { recursive: true, force: true });
    const produced = measure({
      label: 'produce',
      argv: [...ctx.esc, 'produce', 'cli', '--key-separator', ':'],
      stdinFile: input,
      env,
    });
    const consumed = measure({ label: 'consume', argv: [...ctx.esc, 'consume', 'cli'], env, stdout: 'pipe' });
    rmSync(input);
    rmSync(dir, { recursive: true, force: true });

    const m = (name: string) => median(rows[name]!);
    const check = (ok: boolean) => (ok ? 'met' : 'not met');
    const body = table(
      ['row', 'esc', 'anchor', 'ratio', 'target', ''],
      [
        [
          'produce, appends of 1,000 record objects, sync none',
          fmtRate(m('recordsRate')),
          `Kafka ${fmtRate(KAFKA_PRODUCE)}`,
          fmtRatio(m('recordsRate') / KAFKA_PRODUCE),
          '>= 1 M/s',
          check(m('recordsRate') >= 1e6),
        ],
        [
          'produce, appends of 1,000 as key/value columns, sync none',
          fmtRate(m('columnsRate')),
          `Kafka ${fmtRate(KAFKA_PRODUCE)}`,
          fmtRatio(m('columnsRate') / KAFKA_PRODUCE),
          '>= 1 M/s',
          check(m('columnsRate') >= 1e6),
        ],
        ...(['columns', 'records', 'batches'] as const).map((way) => [
          {
            columns: 'produce MB/s ÷ disk ceiling: columns, encoded by the library (end to end)',
            records: 'produce MB/s ÷ disk ceiling: record objects, encoded by the library',
            batches: 'produce MB/s ÷ disk ceiling: batches the caller encoded before timing (appendBatch)',
          }[way],
          `${m(`${way}MBps`).toFixed(0)} MB/s`,
          `${m(`${way}Disk`).toFixed(0)} MB/s`,
          `${fmtRatio(m(`${way}Ratio`))} (CPU ${fmtRatio(m(`${way}CpuRatio`))})`,
          '>= 0.5×',
          check(m(`${way}Ratio`) >= 0.5),
        ]),
        [
          'floor: the 2,000 copies of an append into one buffer + its write (no CRC, no framing)',
          '',
          '',
          fmtRatio(m('floorRatio')),
          '',
          '',
        ],
        [
          'floor: the 2,000 copies + CRC-32C of the batch + its write (no framing)',
          '',
          '',
          fmtRatio(m('floorCrcRatio')),
          '',
          '',
        ],
        [
          'consume from the beginning',
          fmtRate(m('consume')),
          `Kafka ${fmtRate(KAFKA_CONSUME)}`,
          fmtRatio(m('consume') / KAFKA_CONSUME),
          '>= 2 M/s',
          check(m('consume') >= 2e6),
        ],
        [
          'sync always, 1 producer awaiting each',
          fmtRate(m('synced1')),
          `append+fdatasync ${fmtRate(m('bareSync'))}`,
          fmtRatio(m('synced1') / m('bareSync')),
          '>= 0.7×',
          check(m('synced1') / m('bareSync') >= 0.7),
        ],
        [
          'sync always, 64 concurrent producers',
          fmtRate(m('synced64')),
          `1 producer ${fmtRate(m('synced1'))}`,
          fmtRatio(m('synced64') / m('synced1')),
          '>= 5×',
          check(m('synced64') / m('synced1') >= 5),
        ],
        [
          'cleaner, 1M records over 10k keys',
          `${m('cleanerMBps').toFixed(0)} MB/s`,
          '',
          '',
          '>= 100 MB/s',
          check(m('cleanerMBps') >= 100),
        ],
        [
          'records left after compaction (incl. the 1 in the active segment)',
          `${cleaned.records}`,
          `${KEYS} keys`,
          fmtRatio(cleaned.records / KEYS),
          '±1%',
          check(Math.abs(cleaned.records / KEYS - 1) <= 0.01),
        ],
        [
          'consume during compaction',
          fmtRate(m('consumeDuring')),
          `alone ${fmtRate(m('consumeAlone'))}`,
          fmtRatio(m('consumeDuring') / m('consumeAlone')),
          '>= 0.8×',
          check(m('consumeDuring') / m('consumeAlone') >= 0.8),
        ],
        [
          'peak RSS, esc produce of the records',
          fmtMiB(produced.maxRssKiB),
          '',
          '',
          '<= 150 MiB',
          check(produced.maxRssKiB <= 150 * 1024),
        ],
        [
          'peak RSS, esc consume of the records',
          fmtMiB(consumed.maxRssKiB),
          '',
          '',
          '<= 150 MiB',
          check(consumed.maxRssKiB <= 150 * 1024),
        ],
      ],
    );
    return `${RECORDS.toLocaleString('en-US')} records of a 16-byte key (${KEYS.toLocaleString('en-US')} distinct) and a 100-byte value, produced
with the library in appends of ${BATCH}, one partition, default config; medians of ${ctx.rounds} rounds, each in a fresh
directory. Anchors: Kafka's published single-machine figures (one producer thread, 100-byte records, no
replication: ${KAFKA_PRODUCE.toLocaleString('en-US')} records/s; one consumer: ${KAFKA_CONSUME.toLocaleString('en-US')} records/s), and the disk measured in the
same run (the same bytes in plain \`write\` calls of one append's size; a bare \`write\` + \`fdatasync\` loop
of 182-byte records for the synced rows).

The produce rows hand the records over in three ways: \`append\` with an object per record, \`produce\` with
columns of keys and values (no object per record), and \`appendBatch\` with batches **the caller encoded
before the timed loop** (as Kafka's clients encode the batches its broker receives: the log checks each
batch's CRC and structure, patches its offsets and CRC, and writes it; the encoding is not in that row's time).
The end-to-end figure is the columns row. Each is timed next to its ceiling, the same bytes the log holds on disk
(${(bytesOf.columns / RECORDS).toFixed(1)} bytes a record: 116 of key and value, 24 of record framing, 42 per batch of
${BATCH}), in the same round, the order alternating between rounds; the ratio is the median of the rounds' ratios
(ceiling time ÷ produce time), the CPU ratio the same with CPU time (user + system of this process).
The two floor rows are the least JavaScript can do for the columns row, timed beside a ceiling of their own:
each key and value copied into one reused buffer where the format puts it (2,000 \`TypedArray.set\` calls an
append), with and without the batch's CRC-32C (the library's), then the write; no framing, offsets or index. A
floor under 0.5× puts the 0.5× target out of reach of any JavaScript encoder (docs/streams.md, "The floor").
The cleaner's rate is source bytes over the time of
\`compact()\`. Peak RSS is of the CLI (\`esc produce\` of ${RECORDS.toLocaleString('en-US')} key:value lines, \`esc consume\` into a pipe;
${(produced.ms / 1000).toFixed(1)} s and ${(consumed.ms / 1000).toFixed(1)} s).

${body}

Command: \`node packages/bench/dist/run.js --only streams --rounds ${ctx.rounds}\` (ESC_BENCH_RECORDS shrinks it).`;
  },
};

/** A topic of RECORDS records over KEYS keys whose segments are all closed but one holding one record. */
async function dirtyTopic(store: TopicStore, topic: string): Promise<{ active: number }> {
  await produce(store, topic);
  await store.alterTopic(topic, { cleanupPolicy: 'compact', segmentMs: 1 });
  await new Promise((r) => setTimeout(r, 5));
  await store.append(topic, [{ key: 'roll', value: 'roll' }]);
  return { active: 1 };
}
