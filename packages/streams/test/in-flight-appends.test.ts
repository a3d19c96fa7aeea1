import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childEnv } from '../../cli/test/run-esc.js';
import { openStreams, type SyncMode, type TopicStore } from '../src/index.js';
import { useTempDirs } from '../src/test-helpers/temp-dirs.js';

const CHILD = new URL('./fixtures/in-flight-producer.mjs', import.meta.url).pathname;
const tempDir = useTempDirs('in-flight');

/** One acknowledged append of a child producer: its first record's number, offset, and its record count. */
interface Ack {
  first: number;
  offset: number;
  count: number;
}

/**
 * Runs the in-flight producer (test/fixtures) to its end, or SIGKILLs it `killAfterMs` after its first
 * acknowledgement; returns the acknowledgements it printed in whole lines.
 */
function runProducer(
  args: { dir: string; topic: string; tag: string; appends: number; batch: number; inFlight: number },
  killAfterMs?: number,
): Promise<{ acks: Ack[]; signal: string | null; status: number | null; stderr: string }> {
  const { dir, topic, tag, appends, batch, inFlight } = args;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, topic, tag, String(appends), String(batch), String(inFlight)], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (killAfterMs !== undefined) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const acks = out
        .split('\n')
        .slice(0, -1)
        .map((l) => {
          const [first, offset, count] = l.split(' ').map(Number);
          return { first: first!, offset: offset!, count: count! };
        });
      resolve({ acks, signal, status, stderr });
    });
  });
}

const value = (tag: string, n: number) => `${tag}-${n}-${'x'.repeat(80)}`;

async function valuesByOffset(store: TopicStore, topic: string): Promise<(string | undefined)[]> {
  const records = await store.readAll(topic, 0);
  expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
  return records.map((r) => r.value?.toString());
}

describe('appends in flight (writes on the thread pool while the next append is encoded)', () => {
  it('gives dense offsets in submission order across rolls and sync modes, and a follower reads each record once', async () => {
    const dir = tempDir();
    const store = openStreams(dir, { onWarning: () => undefined, maintenanceIntervalMs: Number.POSITIVE_INFINITY });
    // Small segments: rolls happen while writes are in flight.
    store.createTopic('t', { segmentBytes: 300 * 1024 });
    const plan = Array.from({ length: 48 }, (_, a) => ({
      size: a % 5 === 3 ? 3 : 700,
      sync: (a === 20 ? 'always' : a === 33 ? 'batch' : 'none') as SyncMode,
    }));
    const firsts: number[] = [];
    for (let a = 0; a < plan.length; a++) firsts.push(a === 0 ? 0 : firsts[a - 1]! + plan[a - 1]!.size);
    const total = firsts.at(-1)! + plan.at(-1)!.size;

    const reader = store.reader('t', 0, 'earliest');
    const followed: string[] = [];
    let producing = true;
    const follower = (async () => {
      for (;;) {
        const batch = reader.poll();
        for (const r of batch) followed.push(r.value!.toString());
        if (batch.length === 0 && !producing) return;
        await new Promise((r) => setImmediate(r));
      }
    })();

    const offsets = new Array<number>(plan.length);
    let next = 0;
    const producer = async () => {
      while (next < plan.length) {
        const a = next++;
        const values = Array.from({ length: plan[a]!.size }, (_, j) => value('p', firsts[a]! + j));
        const ack = await store.produce('t', { values }, { sync: plan[a]!.sync });
        offsets[a] = ack.firstOffsets.get(0)!;
      }
    };
    await Promise.all(Array.from({ length: 6 }, producer));
    producing = false;
    await follower;
    reader.close();

    expect(offsets).toEqual(firsts);
    const expected = Array.from({ length: total }, (_, n) => value('p', n));
    expect(followed).toEqual(expected);
    expect(await valuesByOffset(store, 't')).toEqual(expected);
    expect(store.describeTopic('t').partitions[0]!.segments).toBeGreaterThan(3);
    await store.close();

    // Reopened: the log is whole, the indexes agree with it.
    const again = openStreams(dir, { onWarning: () => undefined });
    expect(again.verify('t').every((r) => r.problems.length === 0)).toBe(true);
    expect(await valuesByOffset(again, 't')).toEqual(expected);
    await again.close();
  }, 120_000);

  it('holds the inter-process lock over the writes in flight: two producers interleave whole appends', async () => {
    const dir = tempDir();
    const store = openStreams(dir, { onWarning: () => undefined });
    store.createTopic('shared');
    await store.close();
    const args = { dir, topic: 'shared', appends: 30, batch: 700, inFlight: 4 };
    const [a, b] = await Promise.all([runProducer({ ...args, tag: 'a' }), runProducer({ ...args, tag: 'b' })]);
    for (const r of [a, b]) expect(r, r.stderr).toMatchObject({ status: 0, stderr: '' });

    const reopened = openStreams(dir, { onWarning: () => undefined });
    const values = await valuesByOffset(reopened, 'shared');
    await reopened.close();
    expect(values).toHaveLength(2 * 30 * 700);
    for (const [tag, r] of [
      ['a', a],
      ['b', b],
    ] as const) {
      expect(r.acks).toHaveLength(30);
      // Each append's records are where its acknowledgement says, dense and in order.
      for (const ack of r.acks)
        for (let j = 0; j < ack.count; j++) expect(values[ack.offset + j]).toBe(value(tag, ack.first + j));
      // And each producer's appends keep the order it submitted them in.
      const bySubmission = [...r.acks].sort((x, y) => x.first - y.first).map((x) => x.offset);
      expect(bySubmission).toEqual([...bySubmission].sort((x, y) => x - y));
    }
  }, 120_000);

  it('SIGKILL mid-produce leaves a log that reopens with every acknowledged append in it', async () => {
    const dir = tempDir();
    const setup = openStreams(dir, { onWarning: () => undefined });
    setup.createTopic('crash', { segmentBytes: 1024 * 1024 });
    await setup.close();
    let acknowledged = 0;
    for (let round = 0; round < 4; round++) {
      const run = await runProducer(
        { dir, topic: 'crash', tag: `r${round}`, appends: 100_000, batch: 700, inFlight: 4 },
        40 + round * 60,
      );
      expect(run.signal, run.stderr).toBe('SIGKILL');
      acknowledged += run.acks.length;
      const warnings: string[] = [];
      const store = openStreams(dir, { onWarning: (m) => warnings.push(m), lockStaleMs: 2000 });
      // An append takes the lock the dead producer left (stale after 2 s) and cuts any torn tail.
      await store.produce('crash', { values: [Buffer.from(`after-${round}`)] });
      const values = await valuesByOffset(store, 'crash');
      for (const ack of run.acks)
        for (let j = 0; j < ack.count; j++) expect(values[ack.offset + j]).toBe(value(`r${round}`, ack.first + j));
      expect(values.at(-1)).toBe(`after-${round}`);
      expect(store.verify('crash').every((r) => r.problems.length === 0)).toBe(true);
      await store.close();
    }
    expect(acknowledged).toBeGreaterThan(4);
  }, 240_000);
});
