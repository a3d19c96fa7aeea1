import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openKv, type KeyValueStore, type KvStore } from '@esc/kv';
import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { appendSyncRate, OriginalDesignStore, RewriteBaselineStore } from '../baselines/kv-rewrite-baseline.js';
import { alternate, fmtMs, fmtRate, fmtRatio, median, table } from '../measure.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const VALUE = 'v'.repeat(24);

const pairs = function* (n: number): Generator<[string, string]> {
  for (let i = 0; i < n; i++) yield [`key:${i}`, `${VALUE}-${i}`];
};

async function buildStore(path: string, n: number): Promise<KeyValueStore> {
  rmSync(path, { force: true });
  rmSync(`${path}.journal`, { force: true });
  const kv = await openKv(path);
  await kv.mset([...pairs(n)]);
  await kv.compact();
  await kv.close();
  const reopened = await openKv(path);
  // Warm up: the first sets parse the snapshot into memory once (a long-lived store answers from memory).
  for (let i = 0; i < 20; i++) await reopened.set(`key:${i}`, `warm-${i}`);
  return reopened;
}

/** The default `journalMaxBytes` of @esc/kv: a store compacts once its journal passes this size. */
const JOURNAL_CAP = 1024 * 1024;

/**
 * A store for the CLI `get` rows, compacted; with `fillJournal`, then updated (overwriting existing keys) until
 * its journal is just below the compaction point, the most journal a get can ever have to look through.
 */
async function buildGetStore(path: string, n: number, fillJournal: boolean): Promise<number> {
  rmSync(path, { force: true });
  rmSync(`${path}.journal`, { force: true });
  const kv = (await openKv(path)) as KvStore; // a path: the embedded store, whose stats describe its journal
  for (let i = 0; i < n; i += 50_000) {
    const batch: [string, string][] = [];
    for (let j = i; j < Math.min(n, i + 50_000); j++) batch.push([`key:${j}`, `${VALUE}-${j}`]);
    await kv.mset(batch);
  }
  await kv.compact();
  let round = 0;
  while (fillJournal && (await kv.stats()).journal.bytes < JOURNAL_CAP - 20_000) {
    const batch: [string, string][] = [];
    for (let j = 0; j < 100; j++, round++) batch.push([`key:${(round * 7919) % n}`, `${VALUE}-r${round}`]);
    await kv.mset(batch);
  }
  const bytes = (await kv.stats()).journal.bytes;
  await kv.close();
  return bytes;
}

/** Sets per second, one awaited at a time (each durable before the next starts). */
async function sequentialRate(kv: KeyValueStore, n: number, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const k = (i * 7919) % n;
    await kv.set(`key:${k}`, `${VALUE}-${i}`);
  }
  return count / ((performance.now() - t0) / 1000);
}

/** Sets per second from `callers` concurrent callers, each awaiting its own sets (group commit shares syncs). */
async function concurrentRate(kv: KeyValueStore, n: number, callers: number, perCaller: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = 0; i < perCaller; i++) await kv.set(`key:${(c * 104729 + i * 7919) % n}`, `${VALUE}-${c}-${i}`);
    }),
  );
  return (callers * perCaller) / ((performance.now() - t0) / 1000);
}

function baselineRate(store: RewriteBaselineStore, n: number, count: number): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) store.set(`key:${(i * 7919) % n}`, `${VALUE}-${i}`);
  return count / ((performance.now() - t0) / 1000);
}

export const suite: BenchSuite = {
  name: 'kv',
  title: 'kv',
  async run(ctx: BenchContext) {
    const dir = join(ctx.dataDir, 'kv');
    mkdirSync(dir, { recursive: true });
    ctx.log('kv: building stores of 1k, 10k, 100k keys');
    const stores = new Map<number, KeyValueStore>();
    for (const n of SIZES) stores.set(n, await buildStore(join(dir, `lib-${n}.json`), n));
    const baselinePath = join(dir, 'baseline-10000.json');
    rmSync(baselinePath, { force: true });
    const baseline = new RewriteBaselineStore(baselinePath);
    baseline.fill(pairs(10_000));
    const originalPath = join(dir, 'original-10000.json');
    new RewriteBaselineStore(originalPath).fill(pairs(10_000));
    const original = new OriginalDesignStore(originalPath);
    const originalRate = (count: number) => {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) original.set(`key:${(i * 7919) % 10_000}`, `${VALUE}-${i}`);
      return count / ((performance.now() - t0) / 1000);
    };

    // Every round measures everything once, in turn, so noise on this shared machine falls on all alike.
    const seq = new Map<number, number[]>(SIZES.map((n) => [n, []]));
    const base: number[] = [];
    const orig: number[] = [];
    const ceiling: number[] = [];
    const group: number[] = [];
    const groupAnchor: number[] = [];
    const SEQ_SETS = 500;
    for (let r = 0; r < ctx.rounds; r++) {
      ctx.log(`kv: round ${r + 1}/${ctx.rounds}`);
      for (const n of SIZES) seq.get(n)!.push(await sequentialRate(stores.get(n)!, n, SEQ_SETS));
      base.push(baselineRate(baseline, 10_000, 30));
      orig.push(originalRate(30));
      ceiling.push(appendSyncRate(join(dir, 'fdatasync-probe.log'), SEQ_SETS));
      groupAnchor.push(await sequentialRate(stores.get(10_000)!, 10_000, SEQ_SETS));
      group.push(await concurrentRate(stores.get(10_000)!, 10_000, 64, 40));
    }
    for (const kv of stores.values()) await kv.close();

    const rate = (n: number) => median(seq.get(n)!);
    const seqRows = SIZES.map((n) => [
      `library \`set\`, durable, one at a time, ${n / 1000}k keys`,
      fmtRate(rate(n)),
      fmtRatio(rate(n) / rate(1_000)),
    ]);
    const baseRate = median(base);

    ctx.log('kv: building the CLI get stores (100k and 1M keys, compacted and with a full journal)');
    const getStores: { label: string; path: string }[] = [];
    for (const n of [100_000, 1_000_000]) {
      for (const fill of [false, true]) {
        const path = join(dir, `get-${n}${fill ? '-journal' : ''}.json`);
        const journalBytes = await buildGetStore(path, n, fill);
        const journal = fill ? `journal ${(journalBytes / 1024).toFixed(0)} KiB of ${JOURNAL_CAP / 1024}` : 'compacted';
        getStores.push({ label: `esc kv get, ${n / 1000}k keys, ${journal}`, path });
      }
    }
    ctx.log('kv: CLI get vs node -e 0, alternately');
    const cli = alternate(
      [
        { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
        ...getStores.map((st) => ({
          label: st.label,
          argv: [...ctx.esc, 'kv', '--store', st.path, 'get', 'key:4242'],
        })),
      ],
      Math.max(ctx.rounds * 2, 11),
    );
    const nodeRun = cli[0]!;
    const getRuns = cli.slice(1);
    const worstGet = Math.max(...getRuns.map((g) => g.medianMs / nodeRun.medianMs));

    return [
      `Command: \`node packages/bench/dist/run.js --only kv --rounds ${ctx.rounds}\`. Stores are built fresh each run in`,
      '`bench-data/kv/` (keys `key:N`, 24-byte values, compacted), then updated in place by overwriting existing keys,',
      'so the size stays put. Every set is durable (journal append + fdatasync under the inter-process lock) before',
      'the next starts. Rates are medians over the rounds; every row of a table was measured in each round, in turn.',
      '',
      '### Cost per set does not grow with the store',
      '',
      table(['measurement', 'median rate', 'ratio to 1k keys'], seqRows),
      '',
      `Target: the 100k-key rate at least 0.80× the 1k-key rate: **${fmtRatio(rate(100_000) / rate(1_000))}** (${rate(100_000) / rate(1_000) >= 0.8 ? 'met' : 'NOT met'}).`,
      '',
      '### Against the original design (whole JSON file rewritten per set)',
      '',
      table(
        ['measurement', 'median rate', 'rate ÷ baseline'],
        [
          ['baseline: rewrite the whole JSON (indent 2) + fsync + rename, 10k keys', fmtRate(baseRate), '1.00×'],
          [
            'original as written: re-read + rewrite in place per call, no fsync, 10k keys',
            fmtRate(median(orig)),
            fmtRatio(median(orig) / baseRate),
          ],
          ['esc library `set`, 10k keys', fmtRate(rate(10_000)), fmtRatio(rate(10_000) / baseRate)],
          [
            "the disk's ceiling: bare 81-byte append + fdatasync, one at a time",
            fmtRate(median(ceiling)),
            fmtRatio(median(ceiling) / baseRate),
          ],
        ],
      ),
      '',
      `Target: at least 100× the baseline at 10k keys: **${fmtRatio(rate(10_000) / baseRate)}** (${rate(10_000) / baseRate >= 100 ? 'met' : 'NOT met'}).`,
      'The baseline (`packages/bench/src/baselines/kv-rewrite-baseline.ts`) is given the same fsyncs as esc and is kept',
      'in memory between sets; the original tool also re-read the file on every call (the second row, for which esc is',
      `**${fmtRatio(rate(10_000) / median(orig))}**). No store that makes each set durable before the next can beat the last row, so`,
      `against this baseline the most any design can reach on this disk is **${fmtRatio(median(ceiling) / baseRate)}**; esc reaches`,
      `${((rate(10_000) / median(ceiling)) * 100).toFixed(0)}% of the disk's ceiling.`,
      '',
      '### Group commit: 64 concurrent callers',
      '',
      table(
        ['measurement', 'median rate', 'ratio'],
        [
          ['one at a time, 10k keys (anchor, same rounds)', fmtRate(median(groupAnchor)), '1.00×'],
          [
            '64 concurrent callers × 40 sets, 10k keys',
            fmtRate(median(group)),
            fmtRatio(median(group) / median(groupAnchor)),
          ],
        ],
      ),
      '',
      `Target: at least 5×: **${fmtRatio(median(group) / median(groupAnchor))}** (${median(group) / median(groupAnchor) >= 5 ? 'met' : 'NOT met'}).`,
      '',
      '### CLI `esc kv get`: 100k and 1M keys, compacted and with a journal just below its compaction point',
      '',
      table(
        ['command', 'median time', 'peak RSS', 'ratio to node -e 0'],
        [nodeRun, ...getRuns].map((s) => [
          s.label,
          fmtMs(s.medianMs),
          `${(s.maxRssKiB / 1024).toFixed(1)} MiB`,
          fmtRatio(s.medianMs / nodeRun.medianMs),
        ]),
      ),
      '',
      `Target: every row at most 1.3× \`node -e 0\` (same environment, including NODE_EXTRA_CA_CERTS when set), measured alternately: worst **${fmtRatio(worstGet)}** (${worstGet <= 1.3 ? 'met' : 'NOT met'}).`,
    ].join('\n');
  },
};
