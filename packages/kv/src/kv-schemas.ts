import { z } from 'zod';
import { JOURNAL_FORMAT, JOURNAL_VERSION } from './journal-format.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSIONS } from './snapshot-format.js';

/**
 * The zod schemas of everything esc kv reads back. They are the specification; the hot path checks the same
 * rules with the lean predicates beside each format (importing zod alone costs ~60 ms, a third of `esc kv get`),
 * a property test proves the two agree, and zod is loaded only to word the error when a check fails.
 */
export const snapshotHeaderSchema = z
  .object({
    format: z.literal(SNAPSHOT_FORMAT),
    version: z.union(SNAPSHOT_VERSIONS.map((v) => z.literal(v))),
    generation: z.number().int().nonnegative(),
    createdAt: z.string(),
    keys: z.number().int().nonnegative(),
    /** The file's size (version 3 on: a point read checks it instead of the whole-file checksum). */
    bytes: z.number().int().nonnegative().optional(),
    /** The journal position the snapshot holds the lines up to (a compaction that kept appending meanwhile). */
    journalFrom: z
      .strictObject({ generation: z.number().int().nonnegative(), offset: z.number().int().nonnegative() })
      .optional(),
  })
  .refine((h) => h.version !== 3 || h.bytes !== undefined, { message: 'a version 3 header has bytes' });

export const snapshotEntrySchema = z.strictObject({
  value: z.string(),
  expiresAt: z.number().int().nonnegative().optional(),
});

/** A version 2 entry: the same, plus the checksum of its line (see snapshot-format.ts). */
export const snapshotEntryV2Schema = snapshotEntrySchema.extend({ c: z.string().regex(/^[0-9a-f]{8}$/) });

export const journalHeaderSchema = z.strictObject({
  journal: z.literal(JOURNAL_FORMAT),
  version: z.literal(JOURNAL_VERSION),
  generation: z.number().int().nonnegative(),
});

const setRecordSchema = z.strictObject({
  op: z.literal('set'),
  k: z.string(),
  v: z.string(),
  x: z.number().int().nonnegative().nullable(),
});
const delRecordSchema = z.strictObject({ op: z.literal('del'), k: z.string() });

export const journalRecordSchema = z.discriminatedUnion('op', [
  setRecordSchema,
  delRecordSchema,
  z.strictObject({ op: z.literal('clear') }),
  /** The key changes of one command, applied together (one line: all or none survive a crash). */
  z.strictObject({
    op: z.literal('batch'),
    ops: z.array(z.discriminatedUnion('op', [setRecordSchema, delRecordSchema])).min(1),
  }),
]);

/** The first problem zod finds, as `at path: message`. */
export function describeIssue(schema: z.ZodType, value: unknown): string {
  const issue = schema.safeParse(value).error?.issues[0];
  if (!issue) return 'does not match the schema';
  return `${issue.path.length ? `at ${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/**
 * Options of `openKv`, one zod schema with the defaults in it (documented in docs/kv.md).
 */
export const kvOptionsSchema = z.object({
  /** Compact when the journal is larger than the snapshot times this ratio… */
  compactRatio: z.number().positive().default(1),
  /** …and larger than this many bytes, so a small store is not rewritten every few writes. */
  compactMinBytes: z
    .number()
    .int()
    .nonnegative()
    .default(256 * 1024),
  /** …or larger than this whatever the snapshot's size: a fresh process reads the journal whole on every read. */
  journalMaxBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** A lock left by a crashed process is taken over after this long (proper-lockfile's floor is 2000). */
  lockStaleMs: z.number().int().min(2000).default(10_000),
  /** Give up (StoreLockedError) after waiting this long for the lock. */
  lockWaitMs: z.number().int().positive().default(30_000),
});
