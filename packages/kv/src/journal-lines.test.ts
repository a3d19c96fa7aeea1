import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openKv } from './index.js';
import { tempStore } from './test-helpers/temp-store.js';

// A fresh process answers single lookups from unparsed journal lines; it must agree with a full replay.
describe('lookups from unparsed journal lines', () => {
  const key = fc.constantFrom('a', 'b', 'ab', 'a"b', 'k', 'clear', '"k":"a"', 'é');
  const op = fc.oneof(
    {
      arbitrary: fc.record({ t: fc.constant('set' as const), k: key, v: fc.oneof(key, fc.string({ maxLength: 4 })) }),
      weight: 4,
    },
    fc.record({ t: fc.constant('del' as const), k: key }),
    fc.record({ t: fc.constant('clear' as const) }),
    fc.record({ t: fc.constant('compact' as const) }),
  );
  it('agrees with the fully parsed store for every key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30, size: 'max' }), async (ops) => {
        const store = tempStore();
        try {
          const writer = await openKv(store.path);
          for (const o of ops) {
            if (o.t === 'set') await writer.set(o.k, o.v);
            else if (o.t === 'del') await writer.del([o.k]);
            else if (o.t === 'clear') await writer.clear();
            else await writer.compact();
          }
          await writer.close();
          const full = await openKv(store.path);
          const expected = new Map((await full.items()).map((i) => [i.key, i.value]));
          await full.close();
          for (const k of ['a', 'b', 'ab', 'a"b', 'k', 'clear', '"k":"a"', 'é', 'missing']) {
            const lazy = await openKv(store.path); // a fresh view per key: each answers from unparsed lines
            expect(await lazy.get(k), k).toBe(expected.get(k) ?? null);
            await lazy.close();
          }
        } finally {
          store.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });
});
