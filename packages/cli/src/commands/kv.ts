import { readFileSync } from 'node:fs';
import { CorruptionError, ExitCode, UsageError } from '@esc/core';
import { bytesToKvString, resetKv, type ExpireCondition, type KeyValueStore, type SetOptions } from '@esc/kv';
import { type Command, InvalidArgumentError, nameCommandInUsageError, newCommand, runAction } from '../command-kit.js';
import { emit, emitLines, type GlobalOptions, printInt, storePath, valueOut, warn } from './kv-output.js';
import { KV_READS, withKvStore } from './kv-reads.js';

/**
 * `esc kv`: the store's operations as subcommands, shaped for shell scripts. Data goes to stdout, one answer
 * per line (`--json` for exact machine output); a missing key or a false answer exits 1 with nothing printed;
 * errors exit 2 with one line on stderr (reported by main). Which store: --store, $ESC_KV_STORE, the default.
 */
export function createCommand(): Command {
  const kv = newCommand('kv', 'a TTL key-value store with atomic, concurrent-safe JSON persistence')
    .option(
      '--store <path|url>',
      'the store file, or redis://…, rediss://…, redis-cluster://… (default: $ESC_KV_STORE, else $XDG_DATA_HOME/esc/kv.json)',
    )
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExit status: 0 success, 1 key missing / condition false, 2 error.');

  // Start-up time: building the ~20 subcommands and their options costs ~4 ms, and `esc kv get` needs one.
  // When the arguments name a subcommand only that one is built; otherwise (help, a typo) all of them.
  const build: DefineSubcommand = (name, description, alias) => {
    const cmd = newCommand(name, description);
    if (alias) cmd.alias(alias);
    kv.addCommand(cmd);
    return cmd;
  };
  const wanted = requestedSubcommand(process.argv);
  defineSubcommands((name, description, alias) =>
    wanted === null || wanted === name || wanted === alias ? build(name, description, alias) : SKIPPED,
  );
  if (kv.commands.length === 0) defineSubcommands(build);
  return kv;
}

/** Stands in for a subcommand this run does not build: every builder call on it is a no-op. */
const SKIPPED: Command = new Proxy({} as Command, { get: () => () => SKIPPED });

type DefineSubcommand = (name: string, description: string, alias?: string) => Command;

function defineSubcommands(sub: DefineSubcommand): void {
  sub('set', 'set KEY to VALUE (`-` reads it from stdin); prints OK')
    .argument('<key>')
    .argument('<value>')
    .option('--ttl <seconds>', 'expire after SECONDS (same as --ex)', posInt)
    .option('--ex <seconds>', 'expire after SECONDS', posInt)
    .option('--px <ms>', 'expire after MS milliseconds', posInt)
    .option('--exat <unix-seconds>', 'expire at this Unix time', posInt)
    .option('--pxat <unix-ms>', 'expire at this Unix time in milliseconds', posInt)
    .option('--keepttl', 'keep the current expiry (a plain set clears it)')
    .option('--nx', 'only set if the key does not exist')
    .option('--xx', 'only set if the key exists')
    .option('--get', 'print the previous value (exit 1 if there was none)')
    .action(
      withStore(async (store, g, key: string, value: string, o: Record<string, unknown>) => {
        if (o.ttl !== undefined && o.ex !== undefined) throw new UsageError('--ttl and --ex cannot be combined');
        const options: SetOptions = {
          ex: (o.ex ?? o.ttl) as number | undefined,
          px: o.px as number | undefined,
          exat: o.exat as number | undefined,
          pxat: o.pxat as number | undefined,
          keepttl: o.keepttl === true,
          nx: o.nx === true,
          xx: o.xx === true,
        };
        const result = await store.set(key, value === '-' ? readStdinValue() : value, options);
        if (g.json)
          return emit(
            { written: result.written, ...(o.get ? { previous: result.previous } : {}) },
            o.get ? result.previous !== null : result.written,
          );
        if (o.get) return result.previous === null ? ExitCode.NotFound : emitLines([valueOut(result.previous)]);
        return result.written ? emitLines(['OK']) : ExitCode.NotFound;
      }),
    );

  sub('get', 'print the value of KEY (exit 1, nothing printed, if it is missing)')
    .argument('<key>')
    .action(withStore(async (store, g, key: string) => KV_READS.get.run(store, g, [key])));

  sub('delete', 'delete keys; prints how many existed', 'del')
    .argument('<keys...>')
    .action(withStore(async (store, g, keys: string[]) => printInt(g, 'deleted', await store.del(keys), true)));

  sub('stats', 'live keys, keys with a TTL, expired keys not yet swept, file sizes, last compaction').action(
    withStore(async (store, g) => {
      const s = await store.stats();
      if (g.json) return emit(s, true);
      if ('backend' in s)
        return emitLines([
          `Total keys: ${s.liveKeys}`,
          `Keys with TTL: ${s.keysWithTtl}`,
          `Backend: ${s.url} (${s.masters} ${s.masters === 1 ? 'master' : 'masters'}, Redis ${s.redisVersion})`,
          `Memory used: ${s.usedMemoryBytes} bytes`,
          `Append-only file: ${s.appendOnly ? 'on' : 'off'}`,
        ]);
      return emitLines([
        `Total keys: ${s.liveKeys}`,
        `Keys with TTL: ${s.keysWithTtl}`,
        `Expired keys not yet swept: ${s.expiredNotSwept}`,
        `Snapshot: ${s.snapshot.path} (${s.snapshot.bytes} bytes, generation ${s.snapshot.generation})`,
        `Journal: ${s.journal.path} (${s.journal.bytes} bytes, ${s.journal.records} records)`,
        `Last compaction: ${s.lastCompaction ?? 'never'}`,
      ]);
    }),
  );

  sub('clear', 'delete every key; --force starts over even if the store is corrupt (moving the old files aside)')
    .option('--force', 'start over when the store cannot be read; the damaged files are kept as *.corrupt-<time>')
    .action(
      runAction(async (o: { force?: boolean }, cmd: Command) => {
        const g = cmd.optsWithGlobals() as GlobalOptions;
        try {
          return await clearStore(g, o.force === true);
        } catch (err) {
          throw nameCommandInUsageError(err, cmd);
        }
      }),
    );

  sub('store', 'print every live key, its value and its expiry (tab-separated; expiry ISO 8601 or -)').action(
    withStore(async (store, g) => {
      const items = await store.items();
      if (g.json)
        return emit(
          items.map((i) => ({ ...i, expiresAt: i.expiresAt === null ? null : new Date(i.expiresAt).toISOString() })),
          true,
        );
      return emitLines(
        items.map((i) => `${i.key}\t${i.value}\t${i.expiresAt === null ? '-' : new Date(i.expiresAt).toISOString()}`),
      );
    }),
  );

  for (const [name, unit] of [
    ['ttl', 'seconds'],
    ['pttl', 'milliseconds'],
  ] as const) {
    sub(name, `time to live of KEY in ${unit}: -2 missing, -1 no expiry`)
      .argument('<key>')
      .action(withStore(async (store, g, key: string) => KV_READS[name].run(store, g, [key])));
  }

  for (const [name, unit] of [
    ['expire', 's'],
    ['pexpire', 'ms'],
  ] as const) {
    sub(name, `expire KEY after ${unit === 's' ? 'SECONDS' : 'MILLISECONDS'}; prints 1 if set, else 0 (and exits 1)`)
      .argument('<key>')
      .argument(unit === 's' ? '<seconds>' : '<ms>', 'the time to live', anyInt)
      .option('--nx', 'only if the key has no expiry')
      .option('--xx', 'only if the key has an expiry')
      .option('--gt', 'only if the new expiry is later (no expiry counts as infinite)')
      .option('--lt', 'only if the new expiry is earlier (no expiry counts as infinite)')
      .action(
        withStore(async (store, g, key: string, amount: number, o: Record<string, boolean | undefined>) => {
          const conditions = (['nx', 'xx', 'gt', 'lt'] as const).filter((c) => o[c]) as ExpireCondition[];
          const ok =
            unit === 's' ? await store.expire(key, amount, conditions) : await store.pexpire(key, amount, conditions);
          return printInt(g, 'set', ok ? 1 : 0, ok);
        }),
      );
  }

  sub('persist', 'remove the expiry of KEY; prints 1 if it had one, else 0 (and exits 1)')
    .argument('<key>')
    .action(
      withStore(async (store, g, key: string) => {
        const ok = await store.persist(key);
        return printInt(g, 'persisted', ok ? 1 : 0, ok);
      }),
    );

  sub('exists', 'how many of the keys exist (exit 1 if none)')
    .argument('<keys...>')
    .action(withStore(async (store, g, keys: string[]) => KV_READS.exists.run(store, g, keys)));

  const counters: [string, string, boolean, number][] = [
    ['incr', 'add 1 to the integer at KEY (missing = 0), keeping its TTL; prints the result', false, 1],
    ['decr', 'subtract 1 from the integer at KEY, keeping its TTL', false, -1],
    ['incrby', 'add DELTA to the integer at KEY, keeping its TTL', true, 1],
    ['decrby', 'subtract DELTA from the integer at KEY, keeping its TTL', true, -1],
  ];
  for (const [name, description, takesDelta, sign] of counters) {
    const cmd = sub(name, description).argument('<key>');
    if (takesDelta) cmd.argument('<delta>', 'a 64-bit integer', bigIntArg);
    cmd.action(
      withStore(async (store, g, key: string, ...rest: unknown[]) => {
        const delta = takesDelta ? (rest[0] as bigint) : 1n;
        const value = await store.incrby(key, sign < 0 ? -delta : delta);
        return g.json ? emit({ key, value: value.toString() }, true) : emitLines([value.toString()]);
      }),
    );
  }

  sub('keys', 'live keys matching a Redis glob PATTERN (* ? [abc] [^a] [a-z] \\x), sorted')
    .argument('[pattern]', 'the pattern', '*')
    .action(
      withStore(async (store, g, pattern: string) => {
        const keys = await store.keys(pattern);
        return g.json ? emit(keys, true) : emitLines(keys);
      }),
    );

  sub('mset', 'set several keys: KEY VALUE [KEY VALUE …]; prints OK')
    .argument('<pairs...>')
    .action(
      withStore(async (store, g, args: string[]) => {
        if (args.length % 2 !== 0) throw new UsageError('wrong number of arguments (KEY VALUE pairs)');
        const pairs: [string, string][] = [];
        for (let i = 0; i < args.length; i += 2) pairs.push([args[i]!, args[i + 1]!]);
        await store.mset(pairs);
        return g.json ? emit({ written: pairs.length }, true) : emitLines(['OK']);
      }),
    );

  sub('mget', 'print the value of each key, one per line (an empty line for a missing key; --json for null)')
    .argument('<keys...>')
    .action(withStore(async (store, g, keys: string[]) => KV_READS.mget.run(store, g, keys)));

  sub('compact', 'write a new snapshot now and start an empty journal (normally automatic)').action(
    withStore(async (store, g) => {
      await store.compact();
      return g.json ? emit({ compacted: true }, true) : emitLines(['OK']);
    }),
  );

  sub('verify', 'read and check every byte of the store (a get checks only the lines it reads); prints OK').action(
    withStore(async (store, g) => {
      await store.verify();
      return g.json ? emit({ verified: true }, true) : emitLines(['OK']);
    }),
  );
}

/**
 * Wraps a subcommand action: opens the store, runs, always closes (waiting for durability). A usage error
 * (conflicting options, from here or from the library) is reported with the command's path.
 */
function withStore<A extends unknown[]>(fn: (store: KeyValueStore, g: GlobalOptions, ...args: A) => Promise<number>) {
  return runAction(async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const g = cmd.optsWithGlobals() as GlobalOptions;
    try {
      return await withKvStore(g, (store) => fn(store, g, ...(args.slice(0, -1) as A)));
    } catch (err) {
      throw nameCommandInUsageError(err, cmd);
    }
  });
}

/** `clear`, and with --force, starting over a store that cannot be read. */
async function clearStore(g: GlobalOptions, force: boolean): Promise<number> {
  const path = storePath(g);
  try {
    // A clear reads and checks the whole store first: a damaged one fails here (open or clear), and stays.
    await withKvStore(g, (store) => store.clear());
  } catch (err) {
    if (!(force && err instanceof CorruptionError)) throw err;
    for (const aside of await resetKv(path)) warn(`moved the damaged file aside to ${aside}`);
  }
  return g.json ? emit({ cleared: true }, true) : emitLines(['OK']);
}

/**
 * The subcommand the arguments name (`esc kv --store P get k` → `get`), or null when there is none or it
 * asks for help: the global options before it are `--store PATH` (or `--store=PATH`) and `--json`.
 */
function requestedSubcommand(argv: readonly string[]): string | null {
  const at = argv.indexOf('kv');
  if (at === -1 || argv.includes('--help') || argv.includes('-h')) return null;
  for (let i = at + 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--store') i++;
    else if (a === '--json' || a.startsWith('--store=')) continue;
    else return a.startsWith('-') || a === 'help' ? null : a;
  }
  return null;
}

/**
 * A value from stdin (`-`): everything, minus one trailing newline (what `echo` adds). Bytes that are not UTF-8
 * are kept as the store represents them (see @esc/kv's binary values), not replaced by U+FFFD.
 */
function readStdinValue(): string {
  const bytes = readFileSync(0);
  const cut = bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? 2 : 1) : 0;
  return bytesToKvString(bytes.subarray(0, bytes.length - cut));
}

// Argument parsers throw commander's InvalidArgumentError, which commander reports like its other usage
// errors, naming the command path, the option and the value.

function posInt(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) <= 0)
    throw new InvalidArgumentError('An expire time is a positive integer');
  return Number(value);
}

function anyInt(value: string): number {
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError('The value is not an integer or out of range');
  return Number(value);
}

function bigIntArg(value: string): bigint {
  if (!/^-?\d{1,19}$/.test(value)) throw new InvalidArgumentError('The value is not an integer or out of range');
  return BigInt(value);
}
