import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kvHarness, plain } from './test-helpers/kv-harness.js';

/** The family against a plain Map model of Redis's string semantics, with a clock moved by the test. */
type Entry = { v: string; x: number | null };

class Model {
  map = new Map<string, Entry>();
  now = 1_700_000_000_000;
  private live(k: string): Entry | undefined {
    const e = this.map.get(k);
    if (e && e.x !== null && e.x <= this.now) {
      this.map.delete(k);
      return undefined;
    }
    return e;
  }
  run(args: string[]): unknown {
    const [cmd, k = '', a, b] = args;
    const e = this.live(k);
    switch (cmd) {
      case 'get':
        return e?.v ?? null;
      case 'set': {
        const opts = args.slice(3);
        const nx = opts.includes('nx');
        const xx = opts.includes('xx');
        if ((nx && e) || (xx && !e)) return null;
        const ex = opts.indexOf('ex');
        const x = ex >= 0 ? this.now + Number(opts[ex + 1]) * 1000 : opts.includes('keepttl') ? (e?.x ?? null) : null;
        this.map.set(k, { v: a!, x });
        return 'OK';
      }
      case 'del':
        return this.map.delete(k) && e ? 1 : 0;
      case 'exists':
        return e ? 1 : 0;
      case 'incrby': {
        const cur = e ? e.v : '0';
        if (!/^-?[1-9]\d*$|^0$/.test(cur) || BigInt(cur) > 2n ** 63n - 1n || BigInt(cur) < -(2n ** 63n))
          return '!ERR value is not an integer or out of range';
        const next = BigInt(cur) + BigInt(a!);
        if (next > 2n ** 63n - 1n || next < -(2n ** 63n)) return '!ERR increment or decrement would overflow';
        this.map.set(k, { v: String(next), x: e?.x ?? null });
        return Number(next);
      }
      case 'append': {
        const v = (e?.v ?? '') + a;
        this.map.set(k, { v, x: e?.x ?? null });
        return Buffer.byteLength(v);
      }
      case 'strlen':
        return e ? Buffer.byteLength(e.v) : 0;
      case 'getdel':
        if (e) this.map.delete(k);
        return e?.v ?? null;
      case 'expire': {
        if (!e) return 0;
        const when = this.now + Number(a) * 1000;
        const cond = b;
        if (cond === 'nx' && e.x !== null) return 0;
        if (cond === 'xx' && e.x === null) return 0;
        if (cond === 'gt' && (e.x === null || when <= e.x)) return 0;
        if (cond === 'lt' && e.x !== null && when >= e.x) return 0;
        if (when <= this.now) this.map.delete(k);
        else e.x = when;
        return 1;
      }
      case 'persist':
        if (!e || e.x === null) return 0;
        e.x = null;
        return 1;
      case 'pttl':
        return e ? (e.x === null ? -1 : e.x - this.now) : -2;
      case 'rename':
        if (!e) return '!ERR no such key';
        this.map.delete(k);
        this.map.set(a!, e);
        return 'OK';
      case 'dbsize':
        return [...this.map.keys()].filter((key) => this.live(key)).length;
      default:
        throw new Error(cmd);
    }
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'é', 'n');
const val = fc.oneof(fc.constantFrom('1', '-7', '9223372036854775807', 'x'), fc.string({ maxLength: 4 }));
const command = fc.oneof(
  fc.tuple(fc.constant('get'), key),
  fc
    .tuple(
      key,
      val,
      fc.constantFrom([], ['nx'], ['xx'], ['ex', '5'], ['ex', '1', 'nx'], ['keepttl'], ['xx', 'keepttl']),
    )
    .map(([k, v, o]) => ['set', k, v, ...o]),
  fc.tuple(fc.constant('del'), key),
  fc.tuple(fc.constant('exists'), key),
  fc.tuple(fc.constant('incrby'), key, fc.constantFrom('1', '-1', '100', '9223372036854775807')),
  fc.tuple(fc.constant('append'), key, val),
  fc.tuple(fc.constant('strlen'), key),
  fc.tuple(fc.constant('getdel'), key),
  fc
    .tuple(fc.constant('expire'), key, fc.constantFrom('0', '2', '10'), fc.constantFrom('nx', 'xx', 'gt', 'lt', ''))
    .map((c) => (c[3] === '' ? c.slice(0, 3) : c)),
  fc.tuple(fc.constant('persist'), key),
  fc.tuple(fc.constant('pttl'), key),
  fc.tuple(fc.constant('rename'), key, key),
  fc.constant(['dbsize']),
  fc.integer({ min: 1, max: 4000 }).map((ms) => ['tick', String(ms)]),
);

describe('string family against a Map model', () => {
  it('agrees on every reply, with TTLs on an injected clock', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (cmds) => {
        const model = new Model();
        const h = await kvHarness({ clock: () => model.now });
        try {
          for (const c of cmds) {
            if (c[0] === 'tick') {
              model.now += Number(c[1]);
              continue;
            }
            const args = c;
            const expected = model.run(args);
            const got = plain(await h.run(...args));
            expect({ c: args, got }).toEqual({ c: args, got: expected });
          }
        } finally {
          await h.cleanup();
        }
      }),
      { numRuns: 60 },
    );
  });
});
