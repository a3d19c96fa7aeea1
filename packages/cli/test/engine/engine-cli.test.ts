import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkXml } from '../../../engine/src/viz/test-helpers/xml-well-formed.js';
import { REPO_ROOT as ROOT, runEsc } from '../run-esc.js';

// End-to-end: the built binary, as a user runs it (`pnpm build` first).
const ENGINE_DIST = join(ROOT, 'packages/engine/dist/index.js');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'esc-engine-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function esc(args: string[], input?: string) {
  const res = runEsc(['engine', ...args], { input });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

let n = 0;
const freshDir = () => join(tmp, `db-${n++}`);

/** A database with `count` keys k0000… written through the shell with a tiny memtable, so segments exist. */
function filledDb(count: number, extra: string[] = []): string {
  const dir = freshDir();
  const lines = Array.from({ length: count }, (_, i) => `put k${String(i).padStart(4, '0')} value-${i}`);
  const res = esc(['shell', dir, '--memtable-size', '4k', ...extra], `${lines.join('\n')}\nexit\n`);
  expect(res.err).toBe('');
  expect(res.code).toBe(0);
  return dir;
}

const segmentFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sst'));

describe('esc engine put/get/delete/scan', () => {
  it('stores, reads back and deletes a key; a missing key exits 1 with one line', () => {
    const dir = freshDir();
    expect(esc(['put', dir, 'greeting', 'hello world']).code).toBe(0);
    expect(esc(['get', dir, 'greeting'])).toEqual({ code: 0, out: 'hello world\n', err: '' });
    expect(JSON.parse(esc(['get', dir, 'greeting', '--json']).out)).toEqual({ key: 'greeting', value: 'hello world' });
    expect(esc(['delete', dir, 'greeting']).code).toBe(0);
    const missing = esc(['get', dir, 'greeting']);
    expect(missing.code).toBe(1);
    expect(missing.out).toBe('');
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/^esc: .*key not found: greeting/);
  });

  it('reads the value from standard input when it is not given', () => {
    const dir = freshDir();
    expect(esc(['put', dir, 'blob'], 'line one\nline two\n').code).toBe(0);
    expect(esc(['get', dir, 'blob']).out).toBe('line one\nline two\n\n');
  });

  it('scans ranges in key order: --from inclusive, --to exclusive, --limit, --reverse, --json', () => {
    const dir = filledDb(300);
    const keys = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]);
    const all = esc(['scan', dir]);
    expect(all.code).toBe(0);
    expect(keys(all.out)).toEqual(Array.from({ length: 300 }, (_, i) => `k${String(i).padStart(4, '0')}`));
    expect(all.out.split('\n')[5]).toBe('k0005\tvalue-5');
    expect(keys(esc(['scan', dir, '--from', 'k0100', '--to', 'k0103']).out)).toEqual(['k0100', 'k0101', 'k0102']);
    expect(keys(esc(['scan', dir, '--from', 'k0290', '--limit', '2']).out)).toEqual(['k0290', 'k0291']);
    expect(keys(esc(['scan', dir, '--reverse', '--limit', '3']).out)).toEqual(['k0299', 'k0298', 'k0297']);
    const json = esc(['scan', dir, '--from', 'k0007', '--limit', '1', '--json'])
      .out.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json).toEqual([{ key: 'k0007', value: 'value-7' }]);
    expect(esc(['scan', dir, '--limit', 'x']).code).toBe(2);
  });

  it('refuses to read a directory that does not exist, naming it', () => {
    const dir = join(tmp, 'nowhere');
    const res = esc(['get', dir, 'a']);
    expect(res.code).toBe(2);
    expect(res.err).toBe(`esc: ${dir}: No such file or directory\n`);
  });
  it('rejects bad engine settings with one line naming the flag or the config file', () => {
    const dir = freshDir();
    expect(esc(['put', dir, 'a', '1', '--bloom-bits', '99'])).toMatchObject({
      code: 2,
      err: 'esc: --bloom-bits: Too big: expected number to be <=64\n',
    });
    expect(esc(['put', dir, 'a', '1', '--memtable-size', '12q'])).toMatchObject({
      code: 2,
      err: "esc: --memtable-size: not a number: '12q'\n",
    });
    const config = join(tmp, 'bad-config.json');
    writeFileSync(config, '{"memtableSize": "big"}');
    const res = esc(['put', dir, 'a', '1', '--config', config]);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(new RegExp(`^esc: ${config}: invalid at memtableSize: .*\n$`));
    writeFileSync(config, '{"memtableSize": 65536, "syncMode": "always"}');
    expect(esc(['put', dir, 'a', '1', '--config', config]).code).toBe(0);
    expect(esc(['stats', dir, '--config', config]).out).toMatch(/^wal .*sync always$/m);
  });
});

describe('esc engine recovery and knobs', () => {
  it('says on stderr, one line, that it cut off a torn log tail, and keeps every whole write', () => {
    const dir = freshDir();
    for (const k of ['a', 'b', 'c']) expect(esc(['put', dir, k, `value-${k}`, '--sync', 'always']).code).toBe(0);
    // The last open replayed the earlier logs into a segment; c is in the live log. A crash mid-append
    // leaves a partial record after it.
    const log = readdirSync(dir).find((f) => f.endsWith('.log'))!;
    const bytes = readFileSync(join(dir, log));
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    writeFileSync(
      join(dir, log),
      Buffer.concat([bytes.subarray(0, end), Buffer.from([0x12, 0x34, 0x56, 0x78, 40, 1, 2])]),
    );
    const res = esc(['get', dir, 'c']);
    expect(res).toMatchObject({ code: 0, out: 'value-c\n' });
    expect(res.err).toMatch(
      new RegExp(
        `^esc: warning: ${join(dir, log)}: offset ${end}: incomplete record header at the end of the log; cut off 7 byte\\(s\\) a crash left half-written\n$`,
      ),
    );
    expect(esc(['stats', dir]).out).toMatch(/^recovery +\d+ log batch\(es\) replayed at open, 0 torn tail/m);
  });

  it('takes every engine knob as a flag, --wal-dir included, and finds the logs where they were written', () => {
    const dir = freshDir();
    const walDir = join(tmp, `wal-${n}`);
    expect(
      esc([
        'put',
        dir,
        'k',
        'v',
        '--wal-dir',
        walDir,
        '--sync',
        'always',
        '--block-size',
        '1k',
        '--level1-max-bytes',
        '2M',
        '--auto-compact',
        'false',
      ]),
    ).toMatchObject({ code: 0, err: '' });
    expect(readdirSync(walDir).some((f) => f.endsWith('.log'))).toBe(true);
    // Without --wal-dir the write is still found: the MANIFEST says where its log is.
    expect(esc(['get', dir, 'k'])).toMatchObject({ code: 0, out: 'v\n' });
    expect(esc(['put', dir, 'k', 'v', '--auto-compact', 'maybe'])).toMatchObject({
      code: 2,
      err: "esc: --auto-compact: not a boolean: 'maybe'\n",
    });
  });
});

describe('esc engine stats, compact, verify, dump', () => {
  it('stats reports segments; compact merges them and keeps every key', () => {
    const dir = filledDb(400);
    const before = JSON.parse(esc(['stats', dir, '--json']).out);
    expect(before.segments.length).toBeGreaterThan(1);
    expect(before.totals.liveSegments).toBe(before.segments.length);
    expect(esc(['stats', dir]).out).toMatch(/^segments +\d+ live/m);
    expect(esc(['stats', dir]).out).toMatch(
      /^bloom +10 bits\/key, false positives 0\.82% in theory, \d+\.\d\d% measured \(\d+\/\d+\)$/m,
    );
    const compacted = esc(['compact', dir, '--json']);
    expect(compacted.code).toBe(0);
    const figures = JSON.parse(compacted.out);
    expect(figures.before.segments).toBe(before.segments.length);
    expect(figures.after.segments).toBeLessThan(figures.before.segments);
    expect(esc(['scan', dir]).out.trim().split('\n')).toHaveLength(400);
  });

  it('verify passes a healthy database and names file and offset of a flipped byte (exit 2)', () => {
    const dir = filledDb(400);
    const ok = esc(['verify', dir]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok: \d+ files checked, 0 problem/m);
    const victim = segmentFiles(dir).sort()[0]!;
    const path = join(dir, victim);
    const bytes = readFileSync(path);
    bytes[20] ^= 0xff;
    writeFileSync(path, bytes);
    const bad = esc(['verify', dir]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(victim);
    const lines = bad.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^esc: .*${victim}: offset \\d+: `));
  });

  it('dump prints a segment as sst_dump does', () => {
    const dir = filledDb(200);
    esc(['delete', dir, 'k0003']);
    expect(esc(['compact', dir]).code).toBe(0);
    const res = esc(['dump', dir]);
    expect(res.code).toBe(0);
    const lines = res.out.split('\n');
    expect(lines[0]).toBe('from [] to []');
    expect(lines[1]).toMatch(/^Process .*\.sst$/);
    expect(res.out).toMatch(/^'k0000' seq:\d+, type:1 => value-0$/m);
    expect(res.out).not.toMatch(/^'k0003' seq:\d+, type:1/m);
    const one = segmentFiles(dir)[0]!;
    const byName = esc(['dump', dir, one, '--hex']);
    expect(byName.code).toBe(0);
    expect(byName.out).toMatch(/^'0x6B30/m);
    const id = String(Number(/^(\d+)/.exec(one)![1]));
    expect(esc(['dump', dir, id]).out).toBe(esc(['dump', dir, one]).out);
    const missing = esc(['dump', dir, '999999']);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`esc: ${join(dir, '999999.sst')}: No such file or directory\n`);
  });
});

describe('esc engine shell', () => {
  it('runs the original REPL commands from a pipe', () => {
    const dir = freshDir();
    const res = esc(
      ['shell', dir],
      'put a 1\nput "b c" two words\nget a\nget "b c"\nget zz\nlist\ndelete a\nlist\nstats\ncompact\nhelp\nexit\nput never seen\n',
    );
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const out = res.out.split('\n');
    expect(out.slice(0, 5)).toEqual(['OK', 'OK', '1', 'two words', '(not found)']);
    expect(res.out).toContain('a = 1\nb c = two words\n(2 entries)\n');
    expect(res.out).toContain('OK\nb c = two words\n(1 entry)\n');
    expect(res.out).toMatch(/^memtable +/m);
    expect(res.out).toContain('put KEY VALUE');
    expect(esc(['get', dir, 'never']).code).toBe(1);
  });

  it('reports a bad command on stderr, goes on, and exits 2', () => {
    const dir = freshDir();
    const res = esc(['shell', dir], 'frobnicate\nput x 1\nget x\n');
    expect(res.err).toBe("esc: unknown command 'frobnicate' (try 'help')\n");
    expect(res.out).toBe('OK\n1\n');
    expect(res.code).toBe(2);
  });
});

describe('esc engine viz', () => {
  it('draws every live segment in the terminal and in SVG and HTML files', () => {
    // Compaction held off (config is per open, so every call says so): many level-0 segments to draw.
    const knobs = ['--compaction-threshold', '100'];
    const dir = filledDb(400, knobs);
    const stats = JSON.parse(esc(['stats', dir, '--json', ...knobs]).out);
    const ids: number[] = stats.segments.map((s: { id: number }) => s.id);
    expect(ids.length).toBeGreaterThan(1);

    const text = esc(['viz', dir, ...knobs]);
    expect(text.code).toBe(0);
    // One line per level, naming its segment count (the terminal picture draws levels, not cards).
    const perLevel = new Map<number, number>();
    for (const s of stats.segments as { level: number }[]) perLevel.set(s.level, (perLevel.get(s.level) ?? 0) + 1);
    for (const [level, count] of perLevel)
      expect(text.out).toMatch(new RegExp(`^L${level}  ${count} segments?, `, 'm'));
    expect(text.out).toMatch(/^memtable /m);

    for (const ext of ['svg', 'html']) {
      const file = join(tmp, `picture-${n++}.${ext}`);
      const res = esc(['viz', dir, '--out', file, ...knobs]);
      expect(res.code).toBe(0);
      const doc = readFileSync(file, 'utf8');
      const check = checkXml(doc);
      expect(check.problems).toEqual([]);
      expect(check.root).toBe(ext);
      const drawn = check.elements
        .filter((e) => e.attrs['data-segment'] !== undefined)
        .map((e) => Number(e.attrs['data-segment']));
      expect(drawn.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    }
    expect(esc(['viz', dir, '--out', join(tmp, 'x.png')]).code).toBe(2);
  });
});

describe('a second owner', () => {
  it('gets one clear line naming the lock holder, exit 2', async () => {
    const dir = freshDir();
    expect(esc(['put', dir, 'a', '1']).code).toBe(0);
    // A script file, not `--input-type=module -e`: the engine's compaction worker thread inherits execArgv.
    const script = join(tmp, `holder-${n++}.mjs`);
    writeFileSync(
      script,
      `import { open } from ${JSON.stringify(pathToFileURL(ENGINE_DIST).href)}; await open(${JSON.stringify(dir)}); console.log('ready'); setInterval(() => {}, 1000);`,
    );
    const holder = spawn(process.execPath, [script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const res = esc(['get', dir, 'a', '--lock-timeout', '0']);
      expect(res.code).toBe(2);
      expect(res.out).toBe('');
      const lines = res.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^esc: /);
      expect(lines[0]).toContain(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
