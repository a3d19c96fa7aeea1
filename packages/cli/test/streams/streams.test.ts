import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStreams } from '@esc/streams';
import { afterEach, describe, expect, it } from 'vitest';
import { ESC_BIN, REPO_ROOT, runEsc } from '../run-esc.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function streamsDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'esc-streams-e2e-'));
  dirs.push(d);
  return d;
}

/** Runs esc with the streams directory in $ESC_STREAMS_DIR (the flag is tested separately). */
function esc(dir: string, args: string[], input?: string | Buffer) {
  return runEsc(args, { input, env: { ...process.env, NO_COLOR: '1', ESC_STREAMS_DIR: dir }, maxBuffer: 1 << 28 });
}

/** Starts esc without waiting: for concurrent producers and followers. */
function startEsc(dir: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [ESC_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ESC_STREAMS_DIR: dir, ESC_STREAMS_LOCK_STALE_MS: '2000' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function finished(
  child: ChildProcess,
): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

interface Json {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  key: string | null;
  value: string | null;
  valueEncoding?: string;
}

function ndjson(text: string): Json[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

describe('esc topic / produce / consume', () => {
  it('creates a topic, produces keyed lines and consumes them as text and NDJSON', () => {
    const dir = streamsDir();
    expect(esc(dir, ['topic', 'create', 'orders', '--partitions', '3'])).toMatchObject({
      status: 0,
      stdout: 'Created topic orders.\n',
      stderr: '',
    });
    expect(esc(dir, ['topic', 'list']).stdout).toBe('orders\n');
    const lines = Array.from({ length: 30 }, (_, i) => `user-${i % 5}:event ${i}`);
    const produced = esc(dir, ['produce', 'orders', '--key-separator', ':', '--json'], `${lines.join('\n')}\n`);
    expect(produced.status).toBe(0);
    const acks = ndjson(produced.stdout) as unknown as { partition: number; offset: number }[];
    expect(acks).toHaveLength(30);
    const records = ndjson(esc(dir, ['consume', 'orders', '-o', 'ndjson']).stdout);
    expect(records).toHaveLength(30);
    // Every key stays on one partition, and each ack names where its line is.
    const byKey = new Map<string, Set<number>>();
    for (const r of records) byKey.set(r.key!, (byKey.get(r.key!) ?? new Set()).add(r.partition));
    for (const parts of byKey.values()) expect(parts.size).toBe(1);
    for (const [i, a] of acks.entries()) {
      const r = records.find((x) => x.partition === a.partition && x.offset === a.offset)!;
      expect(`${r.key}:${r.value}`).toBe(lines[i]);
      expect(r.topic).toBe('orders');
      expect(Number.isNaN(Date.parse(r.timestamp))).toBe(false);
    }
    const text = esc(dir, ['consume', 'orders', '--partition', String(acks[0]!.partition)]).stdout;
    expect(text.split('\n').filter(Boolean)).toEqual(
      records.filter((r) => r.partition === acks[0]!.partition).map((r) => r.value),
    );
    const described = esc(dir, ['topic', 'describe', 'orders', '--json']);
    const d = JSON.parse(described.stdout) as { partitions: { next: number }[] };
    expect(d.partitions.reduce((n, p) => n + p.next, 0)).toBe(30);
  });

  it('uses --dir over $ESC_STREAMS_DIR, auto-creates on produce unless --no-create, and base64s non-UTF-8', () => {
    const envDir = streamsDir();
    const flagDir = streamsDir();
    expect(esc(envDir, ['produce', 'raw', '--dir', flagDir], Buffer.from([0xff, 0xfe, 0x0a, 0x41, 0x0a])).status).toBe(
      0,
    );
    expect(readdirSync(envDir)).toEqual([]);
    const records = ndjson(esc(envDir, ['consume', 'raw', '--dir', flagDir, '-o', 'ndjson']).stdout);
    expect(records.map((r) => [r.value, r.valueEncoding])).toEqual([
      ['//4=', 'base64'],
      ['A', undefined],
    ]);
    const res = esc(envDir, ['produce', 'nope', '--no-create'], 'x\n');
    expect(res).toMatchObject({ status: 2, stdout: '', stderr: "esc: topic 'nope' does not exist\n" });
  });

  it('gives one line and exit 2 for bad names, oversized records, offsets out of range and bad --offset', () => {
    const dir = streamsDir();
    esc(dir, ['topic', 'create', 't', '--max-message-bytes', '200', '--segment-bytes', '1K']);
    esc(dir, ['produce', 't'], `${Array.from({ length: 100 }, (_, i) => `line ${i}`.padEnd(50, '.')).join('\n')}\n`);
    // What retention does: the oldest segments gone, the log start advanced.
    const part = join(dir, 't', '0');
    const segments = readdirSync(part)
      .filter((f) => f.endsWith('.log'))
      .sort();
    for (const f of segments.slice(0, 2))
      for (const ext of ['.log', '.index', '.timeindex']) rmSync(join(part, f.replace('.log', ext)));
    const earliest = Number(segments[2]!.slice(0, 20));
    const cases: [string[], string | undefined, RegExp][] = [
      [
        ['topic', 'create', '../x'],
        undefined,
        /^esc: topic name may contain only ASCII letters, digits, \., _ and -: '\.\.\/x'\n$/,
      ],
      [['topic', 'create', 'x'.repeat(250)], undefined, /^esc: topic name is longer than 249 characters: 'x+'\n$/],
      [['produce', 'a/b'], 'v\n', /^esc: topic name may contain only/],
      [
        ['produce', 't'],
        `${'y'.repeat(300)}\n`,
        /^esc: record of 366 bytes is larger than max.message.bytes 200 of topic 't'\n$/,
      ],
      [
        ['consume', 't', '--offset', '0'],
        undefined,
        new RegExp(`^esc: offset 0 of t/0 is out of range: the earliest available offset is ${earliest}\\n$`),
      ],
      [
        ['consume', 't', '--offset', '101'],
        undefined,
        /^esc: offset 101 of t\/0 is out of range: the log ends at 100\n$/,
      ],
      [['consume', 't', '--offset', '1.5'], undefined, /^esc: .*--offset: invalid number '1\.5'.*\n$/],
      [['consume', 'missing'], undefined, /^esc: topic 'missing' does not exist\n$/],
      [['topic', 'create', 'y', '--retention', 'soon'], undefined, /^esc: --retention: invalid duration 'soon'/],
    ];
    for (const [args, input, stderr] of cases) {
      const res = esc(dir, args, input);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(stderr);
      expect(res.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
    }
    // Nothing of the refused record was written, and reading from the start still works.
    const values = esc(dir, ['consume', 't']).stdout.split('\n').filter(Boolean);
    expect(values).toHaveLength(100 - earliest);
    expect(values[0]).toBe(`line ${earliest}`.padEnd(50, '.'));
  });

  it('ends quietly under | head (a closed pipe is exit 0 with nothing on stderr)', () => {
    const dir = streamsDir();
    esc(dir, ['produce', 'many'], `${Array.from({ length: 200_000 }, (_, i) => `record ${i}`).join('\n')}\n`);
    const sh = shell(dir, `node '${ESC_BIN}' consume many | head -2; echo "status \${PIPESTATUS[0]}"`);
    expect(sh.stdout).toBe('record 0\nrecord 1\nstatus 0\n');
    expect(sh.stderr).toBe('');
  });

  it('produces with --key, --tombstone and --partition, and consumes --since a time', () => {
    const dir = streamsDir();
    esc(dir, ['topic', 'create', 'k', '--partitions', '2']);
    expect(esc(dir, ['produce', 'k', '--key', 'same'], 'a\nb\n').status).toBe(0);
    expect(esc(dir, ['produce', 'k', '--tombstone'], 'same\n').status).toBe(0);
    expect(esc(dir, ['produce', 'k', '--partition', '1'], 'p1\r\n').status).toBe(0);
    const records = ndjson(esc(dir, ['consume', 'k', '-o', 'ndjson']).stdout);
    const same = records.filter((r) => r.key === 'same');
    expect(same.map((r) => r.value)).toEqual(['a', 'b', null]);
    expect(new Set(same.map((r) => r.partition)).size).toBe(1);
    expect(records.filter((r) => r.partition === 1 && r.key === null).map((r) => r.value)).toEqual(['p1']);
    expect(esc(dir, ['consume', 'k', '--since', '1h']).stdout.split('\n').filter(Boolean)).toHaveLength(4);
    expect(esc(dir, ['consume', 'k', '--since', '2999-01-01T00:00:00Z'])).toMatchObject({ status: 0, stdout: '' });
    expect(esc(dir, ['consume', 'k', '--since', 'yesterday-ish'])).toMatchObject({
      status: 2,
      stderr: "esc: --since: invalid time 'yesterday-ish' (ISO 8601, Unix ms, or e.g. 1h)\n",
    });
    expect(esc(dir, ['produce', 'k', '--key', 'x', '--tombstone'], 'v\n').status).toBe(2);
    expect(esc(dir, ['produce', 'k', '--key-separator', ':'], 'no separator here\n')).toMatchObject({
      status: 2,
      stderr: "esc: (standard input):1: no key separator ':' found\n",
    });
    // Every line before the bad one is stored, so its number says where to resume.
    expect(esc(dir, ['produce', 'sep', '--key-separator', ':'], 'a:1\nb:2\nbad\nc:3\n')).toMatchObject({
      status: 2,
      stderr: "esc: (standard input):3: no key separator ':' found\n",
    });
    expect(esc(dir, ['consume', 'sep']).stdout).toBe('1\n2\n');
  });

  it('produces a file on stdin block by block through one reused buffer: every record as given, acks in order', () => {
    const dir = streamsDir();
    // ~1 MB of lines of many lengths (lines cross every 64 KiB block boundary), a 300 KB line (longer than a
    // block), CRLF endings and a last line without a newline.
    const lines = Array.from({ length: 12_000 }, (_, i) => `k${i % 97}:${`v${i}.`.repeat(1 + (i % 23))}`);
    lines[5_000] = `big:${'x'.repeat(300_000)}`;
    const input = join(dir, 'input.txt');
    writeFileSync(input, `${lines.map((l, i) => (i % 7 === 0 ? `${l}\r` : l)).join('\n')}`);
    for (const sync of ['none', 'always']) {
      const fd = openSync(input, 'r');
      const res = spawnSync(
        process.execPath,
        [ESC_BIN, 'produce', `t-${sync}`, '--key-separator', ':', '--json', '--sync', sync],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ESC_STREAMS_DIR: dir },
          stdio: [fd, 'pipe', 'pipe'],
          maxBuffer: 1 << 28,
        },
      );
      closeSync(fd);
      expect(res.stderr.toString()).toBe('');
      expect(res.status).toBe(0);
      const acks = ndjson(res.stdout.toString()) as unknown as { partition: number; offset: number }[];
      expect(acks).toEqual(lines.map((_, offset) => ({ partition: 0, offset })));
      const records = ndjson(esc(dir, ['consume', `t-${sync}`, '-o', 'ndjson']).stdout);
      expect(records.map((r) => `${r.key}:${r.value}`)).toEqual(lines);
    }
  });

  it('16 concurrent producers x 100 lines store 1,600 records, none lost or torn', async () => {
    const dir = streamsDir();
    const children = Array.from({ length: 16 }, (_, p) => {
      const child = startEsc(dir, ['produce', 'busy', '--key-separator', '=']);
      const done = finished(child);
      // Written in small pieces, so the producers' appends interleave.
      void (async () => {
        for (let i = 0; i < 100; i += 10) {
          child.stdin!.write(Array.from({ length: 10 }, (_, j) => `p${p}=${p}-${i + j}-${'z'.repeat(20)}\n`).join(''));
          await new Promise((r) => setTimeout(r, 2));
        }
        child.stdin!.end();
      })();
      return done;
    });
    const results = await Promise.all(children);
    for (const r of results) expect(r, r.stderr).toMatchObject({ status: 0, stderr: '' });
    const records = ndjson(esc(dir, ['consume', 'busy', '-o', 'ndjson']).stdout);
    expect(records).toHaveLength(1600);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 1600 }, (_, i) => i));
    const expected = new Set<string>();
    for (let p = 0; p < 16; p++) for (let i = 0; i < 100; i++) expected.add(`${p}-${i}-${'z'.repeat(20)}`);
    expect(new Set(records.map((r) => r.value))).toEqual(expected);
    // Each producer's lines keep their order.
    for (let p = 0; p < 16; p++) {
      const mine = records.filter((r) => r.key === `p${p}`).map((r) => Number(r.value!.split('-')[1]));
      expect(mine).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
  }, 120_000);

  it('30 SIGKILL rounds of a --sync always producer: every acknowledged record is there, and group commits hold', async () => {
    const dir = streamsDir();
    esc(dir, ['topic', 'create', 'crash', '--segment-bytes', '64K']);
    let groupNext = 0;
    let acknowledged = 0;
    for (let round = 0; round < 30; round++) {
      const child = startEsc(dir, ['produce', 'crash', '--sync', 'always', '--json', '--key-separator', '=']);
      const done = finished(child);
      let killed = false;
      void (async () => {
        for (let i = 0; !killed; i += 20) {
          const piece = Array.from({ length: 20 }, (_, j) => `r${round}=${round}-${i + j}\n`).join('');
          if (!child.stdin!.write(piece)) await new Promise((r) => child.stdin!.once('drain', r));
          await new Promise((r) => setTimeout(r, 1));
        }
      })().catch(() => undefined);
      child.stdin!.on('error', () => undefined);
      // Killed a while after its first acknowledgement, not after its start: a Node start takes up to a second
      // on a loaded machine, and a round killed before it wrote anything tests nothing.
      await Promise.race([new Promise((r) => child.stdout!.once('data', r)), done]);
      await new Promise((r) => setTimeout(r, 300 + ((round * 53) % 400)));
      killed = true;
      child.kill('SIGKILL');
      const res = await done;
      expect(res.signal).toBe('SIGKILL');
      // The last line may be cut by the kill: only whole lines are acknowledgements.
      const acks = res.stdout
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l) as { partition: number; offset: number });
      acknowledged += acks.length;
      // Read with the library (one process less per round); the group below reads through the binary.
      const store = openStreams(dir, { onWarning: () => undefined });
      const stored = await store.readAll('crash', 0, acks[0]?.offset ?? 0).finally(() => store.close());
      const byOffset = new Map(stored.map((r) => [r.offset, r.value?.toString()]));
      for (const [k, a] of acks.entries())
        expect(byOffset.get(a.offset), `round ${round}, ack ${k} (offset ${a.offset})`).toBe(`${round}-${k}`);
      // A group reading a few records per round continues exactly where its last commit left it.
      const group = esc(dir, ['consume', 'crash', '--group', 'g', '--max', '5', '-o', 'ndjson']);
      expect(group.status, group.stderr).toBe(0);
      const got = ndjson(group.stdout).map((r) => r.offset);
      if (got.length > 0) {
        expect(got[0], `round ${round}`).toBe(groupNext);
        groupNext = got.at(-1)! + 1;
      }
    }
    expect(acknowledged).toBeGreaterThan(100);
    expect(groupNext).toBeGreaterThan(0);
  }, 240_000);

  it('compacts with esc topic compact, and reports damage by verify and by a read with file and position', () => {
    const dir = streamsDir();
    esc(dir, ['topic', 'create', 'users', '--cleanup-policy', 'compact', '--segment-bytes', '2K']);
    const lines = Array.from({ length: 1000 }, (_, i) => `user${i % 25}:value ${i}`);
    expect(esc(dir, ['produce', 'users', '--key-separator', ':'], `${lines.join('\n')}\n`).status).toBe(0);
    const compacted = esc(dir, ['topic', 'compact', 'users', '--json']);
    expect(compacted.status, compacted.stderr).toBe(0);
    const result = JSON.parse(compacted.stdout) as { recordsIn: number; recordsOut: number };
    expect(result.recordsOut).toBeLessThan(result.recordsIn);
    const records = ndjson(esc(dir, ['consume', 'users', '-o', 'ndjson']).stdout);
    // The latest value of every key is there, and offsets still increase.
    const latest = new Map(lines.map((l, offset) => [l.split(':')[0]!, { offset, value: l.split(':')[1]! }]));
    for (const [key, { offset, value }] of latest)
      expect(records.find((r) => r.key === key && r.offset === offset)?.value).toBe(value);
    for (let i = 1; i < records.length; i++) expect(records[i]!.offset).toBeGreaterThan(records[i - 1]!.offset);
    expect(esc(dir, ['topic', 'verify', 'users'])).toMatchObject({ status: 0, stderr: '' });

    // A flipped byte in the first closed segment that kept records (compaction may leave some empty).
    const part = join(dir, 'users', '0');
    const logs = readdirSync(part)
      .filter((f) => f.endsWith('.log'))
      .sort();
    const first = logs.map((f) => join(part, f)).find((f, i) => i < logs.length - 1 && readFileSync(f).length > 40)!;
    const bytes = readFileSync(first);
    bytes[30]! ^= 0x40;
    writeFileSync(first, bytes);
    const verify = esc(dir, ['topic', 'verify']);
    expect(verify.status).toBe(2);
    expect(verify.stdout).toContain(`${first}: offset 0: batch checksum mismatch`);
    expect(verify.stderr).toMatch(new RegExp(`^esc: ${first}: offset 0: batch checksum mismatch .*\n$`));
    const read = esc(dir, ['consume', 'users']);
    expect(read.status).toBe(2);
    expect(read.stderr).toMatch(new RegExp(`^esc: ${first}: offset 0: batch checksum mismatch`));
    expect(readFileSync(first)).toEqual(bytes);
  });

  it('follows: consume -f in one process sees what produce writes in another', async () => {
    const dir = streamsDir();
    esc(dir, ['topic', 'create', 'live']);
    // It ends at --max 3; the idle limit only bounds a failure (three esc starts take seconds on a loaded machine).
    const follower = startEsc(dir, ['consume', 'live', '-f', '--idle-timeout', '20000', '--max', '3']);
    const done = finished(follower);
    await new Promise((r) => setTimeout(r, 300));
    for (const v of ['one', 'two', 'three']) {
      expect(esc(dir, ['produce', 'live'], `${v}\n`).status).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await done;
    expect(res).toMatchObject({ status: 0, stdout: 'one\ntwo\nthree\n', stderr: '' });
  }, 30_000);
});

function shell(dir: string, script: string) {
  const res = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ESC_STREAMS_DIR: dir },
  });
  return { status: res.status, stdout: String(res.stdout), stderr: String(res.stderr) };
}
