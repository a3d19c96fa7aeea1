import { InvalidConfigError } from './stream-errors.js';
import type { TopicConfigInput } from './topic-config.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};
const DURATION_UNITS: Record<string, number> = {
  '': 1,
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `64M`, `1G`, `4096`: bytes (binary units, as the rest of esc). */
export function parseByteSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InvalidConfigError(`${flag}: invalid size '${text}' (e.g. 4096, 64K, 64M, 1G)`);
  return Math.round(Number(m[1]) * unit);
}

/** `7d`, `12h`, `30m`, `10s`, `500ms`, `1000` (milliseconds). */
export function parseDurationMs(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? DURATION_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InvalidConfigError(`${flag}: invalid duration '${text}' (e.g. 500ms, 10s, 30m, 12h, 7d)`);
  return Math.round(Number(m[1]) * unit);
}

/** The CLI's topic flags, as commander gives them (camelCase, strings), with what each one parses to. */
export interface TopicFlags {
  partitions?: string;
  cleanupPolicy?: string;
  retention?: string;
  retentionBytes?: string;
  segmentBytes?: string;
  segmentMs?: string;
  deleteRetention?: string;
  minCleanableDirtyRatio?: string;
  minCompactionLag?: string;
  maxMessageBytes?: string;
}

/**
 * Turns `esc topic create/alter` flags into config settings; the schema then checks ranges. `-1` (or `none`)
 * means no limit for --retention and --retention-bytes, as in Kafka.
 */
export function topicConfigFromFlags(flags: TopicFlags): TopicConfigInput {
  const out: TopicConfigInput = {};
  const unlimited = (v: string) => v.trim() === '-1' || v.trim().toLowerCase() === 'none';
  if (flags.partitions !== undefined) {
    if (!/^\d+$/.test(flags.partitions.trim()))
      throw new InvalidConfigError(`--partitions: invalid number '${flags.partitions}'`);
    out.partitions = Number(flags.partitions);
  }
  if (flags.cleanupPolicy !== undefined) {
    const p = flags.cleanupPolicy.replace(/\s/g, '');
    const normal = p === 'delete,compact' ? 'compact,delete' : p;
    if (normal !== 'delete' && normal !== 'compact' && normal !== 'compact,delete')
      throw new InvalidConfigError(
        `--cleanup-policy: expected delete, compact or compact,delete, not '${flags.cleanupPolicy}'`,
      );
    out.cleanupPolicy = normal;
  }
  if (flags.retention !== undefined)
    out.retentionMs = unlimited(flags.retention) ? -1 : parseDurationMs('--retention', flags.retention);
  if (flags.retentionBytes !== undefined)
    out.retentionBytes = unlimited(flags.retentionBytes)
      ? -1
      : parseByteSize('--retention-bytes', flags.retentionBytes);
  if (flags.segmentBytes !== undefined) out.segmentBytes = parseByteSize('--segment-bytes', flags.segmentBytes);
  if (flags.segmentMs !== undefined) out.segmentMs = parseDurationMs('--segment-ms', flags.segmentMs);
  if (flags.deleteRetention !== undefined)
    out.deleteRetentionMs = parseDurationMs('--delete-retention', flags.deleteRetention);
  if (flags.minCleanableDirtyRatio !== undefined) {
    const r = Number(flags.minCleanableDirtyRatio);
    if (flags.minCleanableDirtyRatio.trim() === '' || !Number.isFinite(r))
      throw new InvalidConfigError(`--min-cleanable-dirty-ratio: invalid number '${flags.minCleanableDirtyRatio}'`);
    out.minCleanableDirtyRatio = r;
  }
  if (flags.minCompactionLag !== undefined)
    out.minCompactionLagMs = parseDurationMs('--min-compaction-lag', flags.minCompactionLag);
  if (flags.maxMessageBytes !== undefined)
    out.maxMessageBytes = parseByteSize('--max-message-bytes', flags.maxMessageBytes);
  return out;
}
