import { bulk, type CommandFamily, type CommandSpec, error, integer, NULL_BULK, OK, type Reply } from '@esc/serve';

const NOT_INTEGER = error('ERR value is not an integer or out of range');

/**
 * SET GET INCR MSET XADD over plain Maps, nothing else: with it `esc serve`'s front-end (parser, dispatch,
 * encoder, connection) is what redis-benchmark measures, not a store. Bench-only.
 */
export function stubStringFamily(): CommandFamily {
  const strings = new Map<string, Buffer>();
  const streams = new Map<string, { ms: number; seq: number; entries: Buffer[][] }>();
  const key = (b: Buffer) => b.toString('latin1');
  const spec = (name: string, arity: number, handler: (args: readonly Buffer[]) => Reply): CommandSpec => ({
    name,
    arity,
    flags: ['write'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    handler,
  });
  return {
    commands: [
      spec('set', -3, (args) => {
        // A copy: the argument is a view into the connection's receive buffer.
        strings.set(key(args[1]!), Buffer.from(args[2]!));
        return OK;
      }),
      spec('get', 2, (args) => {
        const v = strings.get(key(args[1]!));
        return v === undefined ? NULL_BULK : bulk(v);
      }),
      spec('incr', 2, (args) => {
        const k = key(args[1]!);
        const old = strings.get(k);
        const n = old === undefined ? 0 : Number(old.toString('latin1'));
        if (!Number.isSafeInteger(n)) return NOT_INTEGER;
        strings.set(k, Buffer.from(String(n + 1)));
        return integer(n + 1);
      }),
      spec('mset', -3, (args) => {
        for (let i = 1; i + 1 < args.length; i += 2) strings.set(key(args[i]!), Buffer.from(args[i + 1]!));
        return OK;
      }),
      spec('xadd', -5, (args) => {
        const k = key(args[1]!);
        let s = streams.get(k);
        if (s === undefined) streams.set(k, (s = { ms: 0, seq: 0, entries: [] }));
        const now = Date.now();
        if (now > s.ms) {
          s.ms = now;
          s.seq = 0;
        } else s.seq++;
        s.entries.push(args.slice(3).map((a) => Buffer.from(a)));
        return bulk(`${s.ms}-${s.seq}`);
      }),
    ],
  };
}
