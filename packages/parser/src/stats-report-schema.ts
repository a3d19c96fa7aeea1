import { z } from 'zod';

const sample = z.object({ line: z.number().int(), text: z.string() });
const peak = z.object({ at: z.string(), events: z.number().int() }).nullable();

/**
 * The statistics report, as `esc parse --stats --json` prints it (one JSON document). This schema is the
 * documented contract (docs/parser.md); the text report is drawn from the same object.
 */
export const statsReportSchema = z.object({
  source: z.string(),
  format: z.string(),
  lines: z.object({
    /** Every line of the input, blank ones included. */
    read: z.number().int(),
    /** Lines that matched the format. */
    parsed: z.number().int(),
    /** Lines that did not match (or were longer than the line limit); skipped, never fatal. */
    malformed: z.number().int(),
    /** Parsed lines whose timestamp is impossible (kept with timestamp null). */
    invalidTimestamps: z.number().int(),
    /** Parsed lines dropped by --level/--since/--until/--grep. */
    filteredOut: z.number().int(),
  }),
  /** Records counted in the statistics: parsed and selected by the filters. */
  events: z.number().int(),
  time: z.object({
    first: z.string().nullable(),
    last: z.string().nullable(),
    /** last − first in seconds (wall clock), null without timestamps. */
    spanSeconds: z.number().nullable(),
  }),
  rate: z.object({
    /** The original tool's definition: events with a timestamp ÷ span in seconds (÷ 1 when the span is 0). */
    eventsPerSecond: z.number().nullable(),
    eventsWithTimestamp: z.number().int(),
    denominatorSeconds: z.number().nullable(),
    peakSecond: peak,
    peakMinute: peak,
  }),
  levels: z.array(z.object({ level: z.string(), count: z.number().int(), percent: z.number() })),
  topComponents: z.array(z.object({ component: z.string(), count: z.number().int(), percent: z.number() })),
  /** For WARN and ERROR (and other error-like levels): the most frequent message shapes, numbers as <*>. */
  topMessages: z.record(z.string(), z.array(z.object({ message: z.string(), count: z.number().int() }))),
  histogram: z.object({
    bucket: z.string(),
    bucketSeconds: z.number().int(),
    buckets: z.array(
      z.object({ start: z.string(), events: z.number().int(), warn: z.number().int(), error: z.number().int() }),
    ),
  }),
  malformedSamples: z.array(sample),
  invalidTimestampSamples: z.array(sample),
  /**
   * The most frequent event templates of the messages (`esc parse` fills it from @esc/templates' miner; the
   * parser never does, so it is absent from StatsAccumulator's report and with `--no-templates`).
   */
  templates: z
    .object({
      /** Messages seen: every counted event that has a message field. */
      messages: z.number().int(),
      /** Messages given to the miner: all of them, or the first 10,000 and then each with probability 1/128. */
      mined: z.number().int(),
      /** True when every message was mined: the counts are exact; false: estimates (a sampled message counts 128). */
      exact: z.boolean(),
      /** Distinct templates found. */
      distinct: z.number().int(),
      /** Most frequent first (ties by template text); percent of `events`. */
      top: z.array(z.object({ id: z.string(), template: z.string(), count: z.number().int(), percent: z.number() })),
    })
    .optional(),
});

export type StatsReport = z.infer<typeof statsReportSchema>;
