import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KV_BACKENDS, useKvBackends } from '../../../kv/src/test-helpers/kv-backends.js';
import { tempStore } from '../../../kv/src/test-helpers/temp-store.js';
import { childEnv, kv, run, runEscBytes, ESC } from '../run-esc.js';

const backends = useKvBackends();

// The built binary as a shell script uses it: stdout, stderr and exit codes, the same on the embedded store,
// one redis-server and a Redis Cluster (`--store redis://…`, `--store redis-cluster://…`).
describe.each(KV_BACKENDS)('esc kv (CLI) on %s', (backend) => {
  const store = { path: '' };
  beforeEach(async () => {
    store.path = await backends.fresh(backend);
  });

  it('set prints OK; get prints the value and a newline; a missing key prints nothing and exits 1', async () => {
    expect(await kv(store.path, ['set', 'greeting', 'hello world'])).toMatchObject({
      code: 0,
      stdout: 'OK\n',
      stderr: '',
    });
    expect(await kv(store.path, ['get', 'greeting'])).toMatchObject({ code: 0, stdout: 'hello world\n', stderr: '' });
    expect(await kv(store.path, ['get', 'nope'])).toMatchObject({ code: 1, stdout: '', stderr: '' });
    expect(await kv(store.path, ['get', 'nope', '--json'])).toMatchObject({
      code: 1,
      stdout: '{"key":"nope","value":null}\n',
    });
    expect(await kv(store.path, ['--json', 'get', 'greeting'])).toMatchObject({
      code: 0,
      stdout: '{"key":"greeting","value":"hello world"}\n',
    });
  });

  it('reads a value from stdin with -, minus one trailing newline', async () => {
    expect(await kv(store.path, ['set', 'doc', '-'], { input: 'line 1\nline 2\n' })).toMatchObject({
      code: 0,
      stdout: 'OK\n',
    });
    expect((await kv(store.path, ['get', 'doc', '--json'])).stdout).toBe('{"key":"doc","value":"line 1\\nline 2"}\n');
  });

  it('values are bytes: what goes in through stdin comes out of get unchanged, UTF-8 or not', async () => {
    const bytes = Buffer.from([0x61, 0xff, 0x00, 0xc3, 0x28, 0x0a, 0x62]);
    expect(await kv(store.path, ['set', 'bin', '-'], { input: bytes })).toMatchObject({ code: 0, stdout: 'OK\n' });
    const got = runEscBytes(['kv', '--store', store.path, 'get', 'bin']);
    expect(got.status).toBe(0);
    expect(got.stdout).toEqual(Buffer.concat([bytes, Buffer.from('\n')]));
  });

  it('TTL commands, Redis style', async () => {
    await kv(store.path, ['set', 'k', 'v', '--ttl', '100']);
    // The clock runs between the two processes (TTL rounds to the nearest second: 100 only within 500 ms).
    expect((await kv(store.path, ['ttl', 'k'])).stdout).toMatch(/^(100|9\d)\n$/);
    expect((await kv(store.path, ['ttl', 'missing'])).stdout).toBe('-2\n');
    expect(await kv(store.path, ['persist', 'k'])).toMatchObject({ code: 0, stdout: '1\n' });
    expect((await kv(store.path, ['pttl', 'k'])).stdout).toBe('-1\n');
    expect(await kv(store.path, ['expire', 'k', '50', '--xx'])).toMatchObject({ code: 1, stdout: '0\n' });
    expect(await kv(store.path, ['expire', 'k', '50', '--nx'])).toMatchObject({ code: 0, stdout: '1\n' });
    expect(await kv(store.path, ['set', 'k', 'w', '--keepttl'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect(Number((await kv(store.path, ['pttl', 'k'])).stdout)).toBeGreaterThan(40_000);
    expect(await kv(store.path, ['set', 'k', 'x', '--nx'])).toMatchObject({ code: 1, stdout: '' });
    expect(await kv(store.path, ['set', 'k', 'y', '--get'])).toMatchObject({ code: 0, stdout: 'w\n' });
    expect(await kv(store.path, ['expire', 'k', '-1'])).toMatchObject({ code: 0, stdout: '1\n' });
    expect(await kv(store.path, ['exists', 'k'])).toMatchObject({ code: 1, stdout: '0\n' });
  });

  it('counters, keys, mset/mget, delete, store, stats, clear', async () => {
    expect((await kv(store.path, ['incr', 'n'])).stdout).toBe('1\n');
    expect((await kv(store.path, ['incrby', 'n', '-11'])).stdout).toBe('-10\n');
    expect(await kv(store.path, ['mset', 'user:1', 'ann', 'user:2', 'bob', 'item', 'x'])).toMatchObject({
      code: 0,
      stdout: 'OK\n',
    });
    expect((await kv(store.path, ['mget', 'user:1', 'zz', 'user:2'])).stdout).toBe('ann\n\nbob\n');
    expect((await kv(store.path, ['keys', 'user:*'])).stdout).toBe('user:1\nuser:2\n');
    expect((await kv(store.path, ['delete', 'item', 'zz'])).stdout).toBe('1\n');
    expect((await kv(store.path, ['store'])).stdout).toBe('n\t-10\t-\nuser:1\tann\t-\nuser:2\tbob\t-\n');
    const stats = await kv(store.path, ['stats']);
    expect(stats.stdout).toMatch(
      backend === 'embedded'
        ? /^Total keys: 3\nKeys with TTL: 0\nExpired keys not yet swept: 0\nSnapshot: .*\nJournal: .*\nLast compaction: never\n$/
        : /^Total keys: 3\nKeys with TTL: 0\nBackend: redis(-cluster)?:\/\/\S+ \((1 master|3 masters), Redis [\d.]+\)\nMemory used: \d+ bytes\nAppend-only file: off\n$/,
    );
    expect(JSON.parse((await kv(store.path, ['stats', '--json'])).stdout)).toMatchObject({
      liveKeys: 3,
      keysWithTtl: 0,
    });
    expect(await kv(store.path, ['clear'])).toMatchObject({ code: 0, stdout: 'OK\n' });
    expect((await kv(store.path, ['keys'])).stdout).toBe('');
  });

  it('errors: one line on stderr, exit 2', async () => {
    await kv(store.path, ['set', 's', 'text']);
    const incr = await kv(store.path, ['incr', 's']);
    expect(incr).toMatchObject({ code: 2, stdout: '' });
    expect(incr.stderr).toBe('esc: value is not an integer or out of range\n');
    const conflict = await kv(store.path, ['set', 'a', 'b', '--ex', '1', '--pxat', '99999999999999']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr.trim().split('\n')).toHaveLength(1);
    expect((await kv(store.path, ['set', 'a', 'b', '--nx', '--xx'])).code).toBe(2);
    expect((await kv(store.path, ['expire', 'a', '5', '--gt', '--lt'])).code).toBe(2);
    expect((await kv(store.path, ['get'])).code).toBe(2);
  });

  it('usage errors: exactly one line naming the subcommand, exit 2, nothing on stdout, nothing stored', async () => {
    const cases: [string[], string][] = [
      [['set', 'a'], "esc: kv set: missing required argument 'value' (see esc kv set --help)"],
      [['bogus'], "esc: kv: unknown command 'bogus' (see esc kv --help)"],
      [['sett', 'a', 'b'], "esc: kv: unknown command 'sett' (Did you mean set?) (see esc kv --help)"],
      [[], 'esc: kv: missing command (see esc kv --help)'],
      [['help', 'bogus'], "esc: kv: unknown command 'bogus' (see esc kv --help)"],
      [['--bogus', 'get', 'a'], "esc: kv: unknown option '--bogus' (see esc kv --help)"],
      [['get', 'a', '--bogus'], "esc: kv get: unknown option '--bogus' (see esc kv get --help)"],
      [
        ['get', 'a', 'b'],
        "esc: kv get: too many arguments for 'get'. Expected 1 argument but got 2 (see esc kv get --help)",
      ],
      [['set', 'a', 'b', '--ex'], "esc: kv set: option '--ex <seconds>' argument missing (see esc kv set --help)"],
      [
        ['set', 'a', 'b', '--ex', 'soon'],
        "esc: kv set: option '--ex <seconds>' argument 'soon' is invalid. An expire time is a positive integer (see esc kv set --help)",
      ],
      [['incrby', 'n'], "esc: kv incrby: missing required argument 'delta' (see esc kv incrby --help)"],
      [
        ['expire', 'a', 'x'],
        "esc: kv expire: command-argument value 'x' is invalid for argument 'seconds'. The value is not an integer or out of range (see esc kv expire --help)",
      ],
      [['mset', 'a'], 'esc: kv mset: wrong number of arguments (KEY VALUE pairs)'],
      [['set', 'a', 'b', '--nx', '--xx'], 'esc: kv set: NX and XX cannot be combined (syntax error)'],
      [['expire', 'a', '10', '--gt', '--lt'], 'esc: kv expire: GT and LT options at the same time are not compatible'],
    ];
    for (const [args, line] of cases) {
      expect(await kv(store.path, args), args.join(' ')).toMatchObject({ code: 2, stdout: '', stderr: `${line}\n` });
    }
    expect((await kv(store.path, ['keys'])).stdout).toBe('');
  });
});

// What is about the embedded store's files: corruption, where the default store lives, nothing created in vain.
describe('esc kv (CLI) on its files', () => {
  let store: ReturnType<typeof tempStore>;
  beforeEach(() => {
    store = tempStore();
  });
  afterEach(() => store.cleanup());

  it('a usage error creates no store', async () => {
    expect((await kv(store.path, ['set', 'a', 'b', '--nx', '--xx'])).code).toBe(2);
    expect(() => readFileSync(`${store.path}.journal`)).toThrow();
  });

  it('a corrupt snapshot: a clear error naming the file and line, exit 2, nothing overwritten; clear --force starts over', async () => {
    await kv(store.path, ['set', 'a', '1']);
    await kv(store.path, ['compact']);
    const bytes = readFileSync(store.path);
    bytes[bytes.indexOf('"1"') + 1] = '7'.charCodeAt(0);
    writeFileSync(store.path, bytes);
    for (const args of [['get', 'a'], ['set', 'b', '2'], ['clear']]) {
      const r = await kv(store.path, args);
      expect(r.code).toBe(2);
      expect(r.stderr.slice(0, `esc: ${store.path}:3: `.length + 59)).toBe(
        `esc: ${store.path}:3: snapshot checksum mismatch: line 3 fails its own checksum (`,
      );
      expect(r.stderr.split('\n')).toHaveLength(2); // one line
      expect(readFileSync(store.path)).toEqual(bytes);
    }
    const forced = await kv(store.path, ['clear', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/moved the damaged file aside to .*kv\.json\.corrupt-/);
    expect(await kv(store.path, ['set', 'b', '2'])).toMatchObject({ code: 0, stdout: 'OK\n' });
  });

  it('finds the store through $ESC_KV_STORE, else the per-user default under $XDG_DATA_HOME', async () => {
    const viaEnv = join(store.dir, 'env.json');
    await run(ESC[0]!, [...ESC.slice(1), 'kv', 'set', 'e', '1'], { env: childEnv({ ESC_KV_STORE: viaEnv }) });
    expect(readFileSync(`${viaEnv}.journal`, 'utf8')).toContain('"k":"e"');
    await run(ESC[0]!, [...ESC.slice(1), 'kv', 'set', 'x', '1'], {
      env: childEnv({ ESC_KV_STORE: '', XDG_DATA_HOME: store.dir }),
    });
    expect(readFileSync(join(store.dir, 'esc', 'kv.json.journal'), 'utf8')).toContain('"k":"x"');
  });
});

describe('esc kv (CLI) on Redis', () => {
  it('finds the server through $ESC_KV_STORE', async () => {
    const url = await backends.fresh('redis');
    const env = childEnv({ ESC_KV_STORE: url });
    expect(await run(ESC[0]!, [...ESC.slice(1), 'kv', 'set', 'e', '1'], { env })).toMatchObject({ code: 0 });
    expect(await run(ESC[0]!, [...ESC.slice(1), 'kv', 'get', 'e'], { env })).toMatchObject({ stdout: '1\n' });
    expect(await kv(url, ['get', 'e'])).toMatchObject({ code: 0, stdout: '1\n' });
  });

  it('shares its keys with other Redis clients, bytes for bytes', async () => {
    const url = await backends.fresh('redis');
    const bytes = Buffer.from([0xfe, 0x41, 0x00, 0xe2, 0x82]);
    expect(await run('redis-cli', ['-u', url, '-x', 'set', 'from-cli'], { input: bytes })).toMatchObject({ code: 0 });
    const got = runEscBytes(['kv', '--store', url, 'get', 'from-cli']);
    expect(got.stdout).toEqual(Buffer.concat([bytes, Buffer.from('\n')]));
    await kv(url, ['set', 'from-esc', 'héllo', '--ex', '100']);
    expect((await run('redis-cli', ['-u', url, 'get', 'from-esc'])).stdout).toBe('héllo\n');
    expect(Number((await run('redis-cli', ['-u', url, 'ttl', 'from-esc'])).stdout)).toBeGreaterThan(0);
  });

  it('an unreachable server, a bad connection string: one line naming the URL (password hidden), exit 2', async () => {
    for (const args of [['get', 'k'], ['set', 'k', 'v'], ['keys'], ['stats']]) {
      const r = await kv('redis://ann:hunter2@127.0.0.1:1', args);
      expect(r, args.join(' ')).toMatchObject({
        code: 2,
        stdout: '',
        stderr: 'esc: cannot use redis://ann:***@127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n',
      });
    }
    const bad = await kv('redis://ann:hunter2@h:1/x', ['get', 'k']);
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'esc: kv get: bad connection string redis://ann:***@h:1/x: database "x" is not a number\n',
    });
  });

  it('verify checks every master; compact is refused (Redis compacts itself), exit 2', async () => {
    for (const backend of ['redis', 'redis-cluster'] as const) {
      const url = await backends.fresh(backend);
      expect(await kv(url, ['verify'])).toMatchObject({ code: 0, stdout: 'OK\n', stderr: '' });
      const compact = await kv(url, ['compact']);
      expect(compact).toMatchObject({ code: 2, stdout: '' });
      expect(compact.stderr).toMatch(/^esc: kv compact: redis(-cluster)?:\/\/\S+ compacts itself .*: nothing to do\n$/);
      expect(JSON.parse((await kv(url, ['--json', 'stats'])).stdout)).toMatchObject({
        backend,
        masters: backend === 'redis' ? 1 : 3,
        liveKeys: 0,
      });
    }
  });
});
