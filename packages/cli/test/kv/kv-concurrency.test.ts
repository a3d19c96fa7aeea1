import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKv } from '@esc/kv';
import { KV_BACKENDS, useKvBackends } from '../../../kv/src/test-helpers/kv-backends.js';
import { tempStore } from '../../../kv/src/test-helpers/temp-store.js';
import { ESC, run } from '../run-esc.js';

// Real processes against one store: no update may be lost.
describe('concurrent processes', () => {
  let store: ReturnType<typeof tempStore>;
  beforeEach(() => {
    store = tempStore();
  });
  afterEach(() => store.cleanup());

  it('16 concurrent `esc kv set` workers × 50 distinct keys: all 800 keys are there', async () => {
    const workers = Array.from({ length: 16 }, (_, w) =>
      run('sh', [
        '-c',
        `i=0; while [ $i -lt 50 ]; do "$0" "$1" kv --store "$2" set "w${w}-k$i" "v${w}-$i" >/dev/null || exit 1; i=$((i+1)); done`,
        ...ESC,
        store.path,
      ]),
    );
    const results = await Promise.all(workers);
    for (const r of results) expect(r.stderr).toBe('');
    expect(results.map((r) => r.code)).toEqual(Array(16).fill(0));
    const kv = await openKv(store.path);
    const items = await kv.items();
    await kv.close();
    expect(items.length).toBe(800);
    for (let w = 0; w < 16; w++)
      for (let i = 0; i < 50; i++) expect(items.find((x) => x.key === `w${w}-k${i}`)?.value).toBe(`v${w}-${i}`);
    const keys = await run(ESC[0]!, [...ESC.slice(1), 'kv', '--store', store.path, 'keys', 'w1-*']);
    expect(keys.stdout.trim().split('\n').length).toBe(50);
  }, 300_000); // 800 Node starts: about 100 CPU-seconds
});

const backends = useKvBackends();

// Read-modify-write from several processes: the file lock on the embedded store, INCRBY's atomicity on Redis.
describe.each(KV_BACKENDS)('concurrent processes on %s', (backend) => {
  let target: string;
  beforeEach(async () => {
    target = await backends.fresh(backend);
  });

  it('8 processes × 100 incr of one key: exactly 800', async () => {
    const children = Array.from({ length: 8 }, () =>
      run(process.execPath, [new URL('./fixtures/incr-loop.mjs', import.meta.url).pathname, target, 'counter', '100']),
    );
    const results = await Promise.all(children);
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    const get = await run(ESC[0]!, [...ESC.slice(1), 'kv', '--store', target, 'get', 'counter']);
    expect(get).toMatchObject({ code: 0, stdout: '800\n', stderr: '' });
  }, 120_000);
});
