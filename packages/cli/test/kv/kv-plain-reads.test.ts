import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KV_BACKENDS, useKvBackends } from '../../../kv/src/test-helpers/kv-backends.js';
import { tempStore } from '../../../kv/src/test-helpers/temp-store.js';
import { ESC, kv, run, type RunResult } from '../run-esc.js';

/** Runs `kv GLOBALS NAME KEYS` and `kv GLOBALS NAME -- KEYS`; returns the plain run's result. */
async function bothWays(globals: string[], name: string, keys: string[], env?: NodeJS.ProcessEnv) {
  const plain = await run(ESC[0]!, [ESC[1]!, 'kv', ...globals, name, ...keys], { env });
  const viaCommander = await run(ESC[0]!, [ESC[1]!, 'kv', ...globals, name, '--', ...keys], { env });
  expect(plain, `kv ${[...globals, name, ...keys].join(' ')}`).toEqual(viaCommander);
  return plain;
}
const at = (path: string) => ['--store', path];

const backends = useKvBackends();

/**
 * `esc kv get KEY` and the other reads in their plain shapes run without commander (commands/kv-reads.ts); any
 * other shape goes through commander. `get -- KEY` is the same request in a shape only commander takes, so each
 * case runs both ways and must give the same stdout, stderr and exit status.
 */
describe.each(KV_BACKENDS)('esc kv plain reads on %s: the same answers with and without commander', (backend) => {
  const store = { path: '' };
  beforeEach(async () => {
    store.path = await backends.fresh(backend);
  });

  it('get, exists, mget, ttl, pttl on live, missing, expired and odd keys and values; --json; --store=PATH', async () => {
    await kv(store.path, [
      'mset',
      'a',
      '1',
      'empty',
      '',
      'multi',
      'line 1\nline 2',
      'uni',
      'ünï 😀',
      'key with space',
      'x',
    ]);
    await kv(store.path, ['set', 'gone', 'soon', '--px', '1']);
    const laterSetAt = Date.now();
    await kv(store.path, ['set', 'later', 'v', '--ex', '1000']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const expected: [string[], string, string[], Partial<RunResult>][] = [
      [at(store.path), 'get', ['a'], { code: 0, stdout: '1\n', stderr: '' }],
      [at(store.path), 'get', ['empty'], { code: 0, stdout: '\n' }],
      [at(store.path), 'get', ['multi'], { code: 0, stdout: 'line 1\nline 2\n' }],
      [at(store.path), 'get', ['uni'], { code: 0, stdout: 'ünï 😀\n' }],
      [at(store.path), 'get', ['key with space'], { code: 0, stdout: 'x\n' }],
      [at(store.path), 'get', ['nope'], { code: 1, stdout: '', stderr: '' }],
      [at(store.path), 'get', ['gone'], { code: 1, stdout: '' }],
      [
        [...at(store.path), '--json'],
        'get',
        ['multi'],
        { code: 0, stdout: '{"key":"multi","value":"line 1\\nline 2"}\n' },
      ],
      [['--json', ...at(store.path)], 'get', ['nope'], { code: 1, stdout: '{"key":"nope","value":null}\n' }],
      [[`--store=${store.path}`], 'get', ['a'], { code: 0, stdout: '1\n' }],
      [at(store.path), 'exists', ['a', 'nope', 'gone', 'uni'], { code: 0, stdout: '2\n' }],
      [at(store.path), 'exists', ['nope', 'gone'], { code: 1, stdout: '0\n' }],
      [[...at(store.path), '--json'], 'exists', ['a'], { code: 0, stdout: '{"exists":1}\n' }],
      [at(store.path), 'mget', ['a', 'nope', 'empty', 'gone'], { code: 0, stdout: '1\n\n\n\n' }],
      [[...at(store.path), '--json'], 'mget', ['a', 'nope'], { code: 0, stdout: '["1",null]\n' }],
      [at(store.path), 'ttl', ['a'], { code: 0, stdout: '-1\n' }],
      [at(store.path), 'ttl', ['nope'], { code: 0, stdout: '-2\n' }],
      [at(store.path), 'pttl', ['gone'], { code: 0, stdout: '-2\n' }],
      [[...at(store.path), '--json'], 'pttl', ['a'], { code: 0, stdout: '{"pttl":-1}\n' }],
    ];
    for (const [globals, name, keys, result] of expected) {
      expect(await bothWays(globals, name, keys), [...globals, name, ...keys].join(' ')).toMatchObject(result);
    }
    // A TTL counts down between the two runs: each is checked on its own (the bound leaves the ~40 process starts
    // above a minute and a half on a loaded machine).
    for (const extra of [[], ['--']]) {
      const r = await kv(store.path, ['ttl', ...extra, 'later']);
      expect(r.code).toBe(0);
      // Whole seconds left: at least 1000 less the seconds elapsed since the SET was sent (a loaded machine
      // can take many seconds over the runs above), rounded down once more for the truncation.
      const elapsed = Math.ceil((Date.now() - laterSetAt) / 1000);
      expect(Number(r.stdout)).toBeGreaterThanOrEqual(1000 - elapsed - 1);
      expect(Number(r.stdout)).toBeLessThanOrEqual(1000);
    }
  });

  it('shapes the plain path does not take still work, through commander', async () => {
    await kv(store.path, ['set', 'a', '1']);
    expect(await kv(store.path, ['get', 'a', '--json'])).toMatchObject({
      code: 0,
      stdout: '{"key":"a","value":"1"}\n',
    });
    expect(await kv(store.path, ['get', '--', '-a'])).toMatchObject({ code: 1, stdout: '' });
    expect(await kv(store.path, ['get', 'a', 'b'])).toMatchObject({ code: 2, stdout: '' });
    expect(await kv(store.path, ['get', '--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Usage: esc kv get'),
    });
    expect(await kv(store.path, ['--store', store.path, 'get', 'a'])).toMatchObject({ code: 0, stdout: '1\n' });
  });
});

// The embedded store's files: where the store is found, and what a damaged one answers.
describe('esc kv plain reads on files', () => {
  let store: ReturnType<typeof tempStore>;
  beforeEach(() => {
    store = tempStore();
  });
  afterEach(() => store.cleanup());

  it('which store: --store, else $ESC_KV_STORE; a store that does not exist yet has no keys', async () => {
    await kv(store.path, ['set', 'k', 'from env']);
    expect(await bothWays([], 'get', ['k'], { ESC_KV_STORE: store.path })).toMatchObject({ stdout: 'from env\n' });
    expect(await bothWays(at(join(store.dir, 'new.json')), 'get', ['k'])).toMatchObject({ code: 1, stdout: '' });
    expect(await bothWays(at(join(store.dir, 'new.json')), 'exists', ['k'])).toMatchObject({ code: 1, stdout: '0\n' });
  });

  it('errors: a corrupt snapshot, a directory as the store: the same one line on stderr and exit 2', async () => {
    await kv(store.path, ['set', 'a', '1']);
    await kv(store.path, ['compact']);
    const bytes = readFileSync(store.path);
    bytes[bytes.indexOf('"1"') + 1] = '7'.charCodeAt(0);
    writeFileSync(store.path, bytes);
    for (const name of ['get', 'ttl', 'exists', 'mget']) {
      const r = await bothWays(at(store.path), name, ['a']);
      expect(r).toMatchObject({ code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^esc: .*snapshot checksum mismatch.*\n$/);
    }
    const dir = join(store.dir, 'a-dir');
    mkdirSync(dir);
    const r = await bothWays(at(dir), 'get', ['a']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});
