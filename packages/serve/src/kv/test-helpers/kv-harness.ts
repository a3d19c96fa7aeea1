import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLiveKv, type LiveKvOptions, type LiveKvStore } from '@esc/kv';
import type { CommandContext, CommandSpec, InPlaceHandler, KeyspaceView } from '../../command-spec.js';
import { RespParser } from '../../resp-parser.js';
import type { Reply } from '../../reply.js';
import { createKvFamily } from '../kv-family.js';

/** Stream keys as a plain set: what the stream family's KeyspaceView answers. */
function fakeStreams(): KeyspaceView & { add(key: string): void } {
  const keys = new Set<string>();
  return {
    typeName: 'stream',
    add: (key) => void keys.add(key),
    has: (key) => keys.has(key.toString('utf8')),
    keys: () => [...keys].map((k) => Buffer.from(k)),
    size: () => keys.size,
    delete: async (key) => keys.delete(key.toString('utf8')),
    clear: async () => keys.clear(),
  };
}

const ctx = {} as CommandContext;
const LIMITS = { maxBulkLength: 512 * 1024 * 1024, maxQueryBuffer: 1024 * 1024 * 1024 };

/** A handler that reads its arguments in place, run as the server runs it: on the parser's command of them. */
function inPlace(handler: InPlaceHandler, args: readonly Buffer[]): ReturnType<InPlaceHandler> {
  const request = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) request.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
  let reply: ReturnType<InPlaceHandler> | undefined;
  new RespParser(LIMITS).feed(Buffer.concat(request), {
    command: (command) => {
      reply = handler(command, ctx);
    },
    authRequired: () => false,
  });
  return reply!;
}

/** A family over a fresh store in a temp dir; `run` checks arity as the dispatcher does and calls the handler. */
export async function kvHarness(options: LiveKvOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'esc-serve-kv-'));
  const path = join(dir, 'kv.json');
  const store: LiveKvStore = await openLiveKv(path, { onWarning: () => undefined, ...options });
  const streams = fakeStreams();
  const family = createKvFamily({ store, streams });
  const keyspace = family.keyspace;
  const specs = new Map<string, CommandSpec>(family.commands.map((s) => [s.name, s]));
  const run = async (...args: (string | Buffer)[]): Promise<Reply> => {
    const name = args[0]!.toString().toLowerCase();
    const spec = specs.get(name);
    if (!spec) throw new Error(`no command ${name}`);
    if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity)
      return { kind: 'error', message: `ERR wrong number of arguments for '${name}' command` };
    const buffers = args.map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
    return spec.inPlace ? inPlace(spec.inPlace, buffers) : spec.handler(buffers, ctx);
  };
  return {
    path,
    store,
    streams,
    family,
    keyspace,
    run,
    async cleanup() {
      await family.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A reply as plain data, for toEqual: strings for simple/bulk, numbers for integers, `!msg` for errors. */
export function plain(r: Reply): unknown {
  switch (r.kind) {
    case 'simple':
      return r.value;
    case 'error':
      return `!${r.message}`;
    case 'integer':
      return Number(r.value);
    case 'bulk':
      return r.value === null ? null : r.value.toString();
    case 'array':
      return r.items === null ? null : r.items.map(plain);
    default:
      return r;
  }
}
