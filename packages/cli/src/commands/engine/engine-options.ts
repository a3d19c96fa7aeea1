import { existsSync } from 'node:fs';
import { FileAccessError, InvalidInputError } from '@esc/core';
import { configFromFlags, loadConfigFile, open, type Config, type Engine } from '@esc/engine';
import { Option, type Command } from '../../command-kit.js';

/** The engine knobs every `esc engine` subcommand accepts. */
export interface EngineFlags {
  memtableSize?: string;
  segmentSize?: string;
  compactionThreshold?: string;
  bloomBits?: string;
  sync?: string;
  config?: string;
}

export function withEngineOptions(command: Command): Command {
  return command
    .option('--memtable-size <bytes>', 'memtable bytes before a flush to a segment (k/m/g suffixes)')
    .option('--segment-size <bytes>', 'target bytes of a segment written by compaction')
    .option('--compaction-threshold <n>', 'level-0 segments that trigger a compaction')
    .option('--bloom-bits <n>', 'bloom filter bits per key (0: no filter)')
    .addOption(new Option('--sync <mode>', 'when writes reach the disk').choices(['none', 'batch', 'always']))
    .option('--config <file>', 'a JSON file with any of the engine settings; flags override it');
}

const FLAG_OF: Record<string, string> = {
  memtableSize: '--memtable-size',
  segmentSize: '--segment-size',
  compactionThreshold: '--compaction-threshold',
  bloomBitsPerKey: '--bloom-bits',
  syncMode: '--sync',
};

/** The config for open(): the --config file first, flags over it; both validated by the engine's schema. */
export function engineConfig(flags: EngineFlags): Partial<Config> {
  const fromFile = flags.config !== undefined ? loadConfigFile(flags.config) : {};
  let fromFlags: Partial<Config>;
  try {
    fromFlags = configFromFlags({
      'memtable-size': flags.memtableSize,
      'segment-size': flags.segmentSize,
      'compaction-threshold': flags.compactionThreshold,
      'bloom-bits-per-key': flags.bloomBits,
      'sync-mode': flags.sync,
    });
  } catch (err) {
    // The schema speaks of its fields (bloomBitsPerKey); the user typed a flag (--bloom-bits).
    if (!(err instanceof InvalidInputError)) throw err;
    const m = /at (\w+): (.*)$/.exec(err.message);
    const flag = m ? FLAG_OF[m[1]!] : undefined;
    throw flag ? new InvalidInputError(`${flag}: ${m![2]}`) : err;
  }
  return { ...fromFile, ...fromFlags };
}

/**
 * Opens the engine in `dir`, runs `fn`, and closes it whatever happens. Commands that only read refuse a
 * directory that does not exist rather than create an empty database there.
 */
export async function withEngine<T>(dir: string, flags: EngineFlags, mode: 'read' | 'write', fn: (engine: Engine) => Promise<T>): Promise<T> {
  if (mode === 'read' && !existsSync(dir)) throw new FileAccessError(dir, Object.assign(new Error('missing'), { code: 'ENOENT' }));
  const engine = await open(dir, engineConfig(flags));
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
