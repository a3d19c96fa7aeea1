import { z } from 'zod';
import { InvalidInputError, loadJsonFile, parseWithSchema } from '@esc/core';

const MiB = 1024 * 1024;

/**
 * Every knob of the engine, with the original project's defaults where it had one (segment size 1 MiB,
 * compaction threshold 4, memtable size 1 MiB). `walDir` defaults to the database directory itself.
 */
export const ConfigSchema = z
  .object({
    /** Bytes of keys+values (plus a small per-entry overhead) before the memtable is frozen and flushed. */
    memtableSize: z.number().int().min(1).default(MiB),
    /** Target size of a segment written by compaction; a flush writes one segment whatever its size. */
    segmentSize: z.number().int().min(1).default(MiB),
    /** Number of level-0 segments (fresh flushes) that triggers a compaction into level 1. */
    compactionThreshold: z.number().int().min(2).default(4),
    /** Bloom filter bits per key; 0 disables the filter. */
    bloomBitsPerKey: z.number().int().min(0).max(64).default(10),
    /**
     * none: each write reaches the OS before it resolves (survives a killed process, not a power cut);
     * batch: as none, plus a background fdatasync that coalesces all writes since the last one;
     * always: a write resolves only after an fdatasync covers it, concurrent writers share it (group commit).
     */
    syncMode: z.enum(['none', 'batch', 'always']).default('none'),
    /** Where write-ahead log files live; empty means the database directory. */
    walDir: z.string().default(''),
    /** Target size of a data block inside a segment: the unit of a disk read and of the block cache. */
    blockSize: z.number().int().min(64).default(4096),
    /** Bytes of parsed data blocks kept in memory across all segments. */
    blockCacheSize: z
      .number()
      .int()
      .min(0)
      .default(8 * MiB),
    /** Each level from 1 on may hold this many times the bytes of the one above it. */
    levelSizeMultiplier: z.number().int().min(2).default(10),
    /** Bytes level 1 may hold before one of its segments is pushed down to level 2. */
    level1MaxBytes: z
      .number()
      .int()
      .min(1)
      .default(10 * MiB),
    /** Merge segments on a worker thread, so compaction takes no time from the event loop. */
    compactionThread: z.boolean().default(true),
    /** Build and write flushed segments on a worker thread, so a flush takes almost no time from the event loop. */
    flushThread: z.boolean().default(true),
    /** Run flushes' follow-up compactions automatically in the background. */
    autoCompact: z.boolean().default(true),
    /** Frozen memtables waiting for their flush before writers wait (back-pressure). */
    maxImmutableMemtables: z.number().int().min(1).default(4),
    /**
     * How long open() waits for the directory's lock while another process holds it, in milliseconds,
     * before it fails with EngineLockedError; 0 fails at once.
     */
    lockTimeoutMs: z.number().int().min(0).default(10_000),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

/**
 * The same knobs, all optional and without defaults: what a config file or a set of flags says, so that
 * layering them (file, then flags, then the schema's defaults) never lets an unset knob override a set one.
 */
export const PartialConfigSchema = z
  .object(Object.fromEntries(Object.entries(ConfigSchema.shape).map(([k, s]) => [k, s.unwrap().optional()])))
  .strict() as unknown as z.ZodType<Partial<Config>>;

/** Fills in defaults and validates; `source` names where the values came from in an error. */
export function resolveConfig(partial: Partial<Config> = {}, source = 'engine config'): Config {
  return parseWithSchema(ConfigSchema, partial, source);
}

/** Reads a JSON config file (any subset of the knobs) and validates it. */
export function loadConfigFile(path: string): Partial<Config> {
  return loadJsonFile(path, PartialConfigSchema);
}

const SIZE_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: MiB,
  mb: MiB,
  mib: MiB,
  g: 1024 * MiB,
  gb: 1024 * MiB,
  gib: 1024 * MiB,
};

/**
 * Turns CLI flag values (`--memtable-size 64K`, `--sync-mode always`, `--no-auto-compact`) into a partial
 * config: kebab-case names become the schema's camelCase ones, numbers accept k/m/g suffixes. Unknown
 * names and bad values raise InvalidInputError naming the flag.
 */
export function configFromFlags(flags: Record<string, string | number | boolean | undefined>): Partial<Config> {
  const shape = ConfigSchema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const [rawName, rawValue] of Object.entries(flags)) {
    if (rawValue === undefined) continue;
    const name = rawName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const field = shape[name];
    if (field === undefined) throw new InvalidInputError(`unknown engine option --${rawName}`);
    const def = (field as unknown as { def: { innerType?: { def: { type: string } } } }).def;
    const kind = def.innerType?.def.type;
    if (kind === 'number' && typeof rawValue === 'string') {
      const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(rawValue.trim());
      const mult = m ? SIZE_SUFFIX[m[2]!.toLowerCase()] : undefined;
      if (!m || mult === undefined) throw new InvalidInputError(`--${rawName}: not a number: '${rawValue}'`);
      out[name] = Math.round(Number(m[1]) * mult);
    } else if (kind === 'boolean' && typeof rawValue === 'string') {
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(rawValue))
        throw new InvalidInputError(`--${rawName}: not a boolean: '${rawValue}'`);
      out[name] = ['true', '1', 'yes'].includes(rawValue);
    } else {
      out[name] = rawValue;
    }
  }
  return parseWithSchema(PartialConfigSchema, out, 'command-line flags');
}
