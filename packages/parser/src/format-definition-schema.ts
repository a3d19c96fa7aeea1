import { z } from 'zod';

/**
 * The zod schema of one format definition in a format file (see FormatDefinition in format-types.ts); exactly one of `format` (Loghub style), `regex` (named groups) or `json: true`.
 */
export const formatDefinitionSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    /** Loghub-style format string: `<Date> <Time> <Level> <Component>: <Content>`. */
    format: z.string().optional(),
    /** A regular expression with named groups; the groups are the fields. */
    regex: z.string().optional(),
    /** JSON lines: one object a line; timestamp, level and message found by their usual names. */
    json: z.boolean().default(false),
    /** Tighter patterns for some fields of a Loghub format string (default `.*?`). */
    fieldPatterns: z.record(z.string(), z.string()).default({}),
    timestamp: z.object({ fields: z.array(z.string()).min(1), layout: z.string().min(1) }).optional(),
    /** Which field holds the level, the component and the message (guessed from the names when omitted). */
    level: z.string().optional(),
    component: z.string().optional(),
    message: z.string().optional(),
  })
  .refine((d) => [d.format !== undefined, d.regex !== undefined, d.json].filter(Boolean).length === 1, {
    message: 'give exactly one of format, regex or json',
  });
