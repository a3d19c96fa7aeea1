import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileAccessError, InvalidInputError } from '@esc/core';
import { configFromFlags, loadConfigFile, open, type Config, type Engine } from '@esc/engine';
import { Option, type Command } from '../../command-kit.js';
import { printError } from '../../error-reporter.js';

/** The engine knobs every `esc engine` subcommand accepts. */
export interface EngineFlags {
  memtableSize?: string;
  segmentSize?: string;
  compactionThreshold?: string;
  bloomBits?: string;
  sync?: string;
  walDir?: string;
  blockSize?: string;
  blockCacheSize?: string;
  level1MaxBytes?: string;
  levelSizeMultiplier?: string;
  maxImmutableMemtables?: string;
  autoCompact?: string;
  compactionThread?: string;
  flushThread?: string;
  lockTimeout?: string;
  config?: string;
}

/** Every knob of the engine's ConfigSchema, by the flag that sets it. */
const FLAG_OF: Record<string, { flag: string; of: keyof EngineFlags }> = {
  memtableSize: { flag: '--memtable-size', of: 'memtableSize' },
  segmentSize: { flag: '--segment-size', of: 'segmentSize' },
  compactionThreshold: { flag: '--compaction-threshold', of: 'compactionThreshold' },
  bloomBitsPerKey: { flag: '--bloom-bits', of: 'bloomBits' },
  syncMode: { flag: '--sync', of: 'sync' },
  walDir: { flag: '--wal-dir', of: 'walDir' },
  blockSize: { flag: '--block-size', of: 'blockSize' },
  blockCacheSize: { flag: '--block-cache-size', of: 'blockCacheSize' },
  level1MaxBytes: { flag: '--level1-max-bytes', of: 'level1MaxBytes' },
  levelSizeMultiplier: { flag: '--level-size-multiplier', of: 'levelSizeMultiplier' },
  maxImmutableMemtables: { flag: '--max-immutable-memtables', of: 'maxImmutableMemtables' },
  autoCompact: { flag: '--auto-compact', of: 'autoCompact' },
  compactionThread: { flag: '--compaction-thread', of: 'compactionThread' },
  flushThread: { flag: '--flush-thread', of: 'flushThread' },
};

export function withEngineOptions(command: Command): Command {
  return command
    .option('--memtable-size <bytes>', 'memtable bytes before a flush to a segment (k/m/g suffixes)')
    .option('--segment-size <bytes>', 'target bytes of a segment written by compaction')
    .option('--compaction-threshold <n>', 'level-0 segments that trigger a compaction')
    .option('--bloom-bits <n>', 'bloom filter bits per key (0: no filter)')
    .addOption(new Option('--sync <mode>', 'when writes reach the disk').choices(['none', 'batch', 'always']))
    .option('--wal-dir <dir>', 'where the write-ahead logs live (default: the database directory)')
    .option('--block-size <bytes>', 'target bytes of a data block inside a segment')
    .option('--block-cache-size <bytes>', 'bytes of data blocks cached in memory')
    .option('--level1-max-bytes <bytes>', 'bytes level 1 holds before it pushes a segment down')
    .option('--level-size-multiplier <n>', 'each deeper level holds this many times the level above')
    .option('--max-immutable-memtables <n>', 'frozen memtables waiting for a flush before writers wait')
    .option('--auto-compact <bool>', 'compact in the background after flushes (true|false)')
    .option('--compaction-thread <bool>', 'merge on a worker thread (true|false)')
    .option('--flush-thread <bool>', 'build flushed segments on a worker thread (true|false)')
    .option(
      '--lock-timeout <seconds>',
      'wait this long for a database another process has open (default 10; 0: fail at once)',
    )
    .option('--config <file>', 'a JSON file with any of the engine settings; flags override it');
}

/** The config for open(): the --config file first, flags over it; both validated by the engine's schema. */
function engineConfig(flags: EngineFlags): Partial<Config> {
  const fromFile = flags.config !== undefined ? loadConfigFile(flags.config) : {};
  let fromFlags: Partial<Config>;
  try {
    // configFromFlags speaks the schema's kebab-case names; the CLI's shorter ones (--sync, --bloom-bits) map onto them.
    fromFlags = configFromFlags(
      Object.fromEntries(
        Object.entries(FLAG_OF).map(([field, { of }]) => [
          field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
          flags[of],
        ]),
      ),
    );
  } catch (err) {
    // The schema speaks of its fields (bloomBitsPerKey); the user typed a flag (--bloom-bits).
    if (!(err instanceof InvalidInputError)) throw err;
    const m = /at (\w+): (.*)$/.exec(err.message);
    const flag = m ? FLAG_OF[m[1]!]?.flag : undefined;
    throw flag ? new InvalidInputError(`${flag}: ${m![2]}`) : err;
  }
  const lockTimeout = flags.lockTimeout === undefined ? {} : { lockTimeoutMs: lockTimeoutMs(flags.lockTimeout) };
  return { ...fromFile, ...fromFlags, ...lockTimeout };
}

/** --lock-timeout is in seconds, as a person types it; the config field is in milliseconds. */
function lockTimeoutMs(seconds: string): number {
  const s = Number(seconds);
  if (seconds.trim() === '' || !Number.isFinite(s) || s < 0)
    throw new InvalidInputError(`--lock-timeout: not a number of seconds: '${seconds}'`);
  return Math.round(s * 1000);
}

/**
 * Opens the engine in `dir`, runs `fn`, and closes it whatever happens. Commands that only read refuse a
 * directory that does not exist rather than create an empty database there.
 */
export async function withEngine<T>(
  dir: string,
  flags: EngineFlags,
  mode: 'read' | 'write',
  fn: (engine: Engine) => Promise<T>,
): Promise<T> {
  if (mode === 'read' && !existsSync(dir))
    throw new FileAccessError(dir, Object.assign(new Error('missing'), { code: 'ENOENT' }));
  const engine = await open(dir, engineConfig(flags));
  reportRecovery(engine);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** What open() repaired is said on stderr, one line each, so an operator sees a torn log or a dead owner. */
function reportRecovery(engine: Engine): void {
  const { tornTails, staleLockPid } = engine.recovery;
  for (const t of tornTails)
    printError(
      `warning: ${t.file}: offset ${t.offset}: ${t.reason}; cut off ${t.droppedBytes} byte(s) a crash left half-written`,
    );
  if (staleLockPid !== null)
    printError(`warning: ${join(engine.dir, 'LOCK')}: took over the lock of process ${staleLockPid}, which is gone`);
}
