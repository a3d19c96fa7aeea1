import { compileUserPattern, InvalidInputError, loadJsonFile, parseWithSchema } from '@esc/core';
import { normaliseLevel } from '@esc/parser';
import { parseDurationMs } from '@esc/streams';
import { z } from 'zod';
import { canonicalLevel } from '../canonical-level.js';

/** `1m`, `30s`, `500ms`, `2h`: parsed to milliseconds, as the topic flags take durations. */
const duration = z.string().transform((text, ctx) => {
  try {
    const ms = parseDurationMs('duration', text);
    if (ms > 0) return ms;
    ctx.addIssue({ code: 'custom', message: `a duration must be above 0 (got '${text}')` });
  } catch {
    ctx.addIssue({ code: 'custom', message: `invalid duration '${text}' (e.g. 500ms, 30s, 1m, 2h)` });
  }
  return z.NEVER;
});

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  /** Case-insensitive, in @esc/parser's vocabulary: WARN = WARNING, CRIT = CRITICAL, ERROR = ERR. */
  level: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  /** A regular expression searched in the message, compiled by compileUserPattern (never a stalling pattern). */
  pattern: z.string().min(1).optional(),
  threshold: z.number().int().min(1).max(100_000),
  window: duration,
  cooldown: duration.optional(),
});

const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  timeout: duration.default(5000),
  /** Attempts after the first one, with exponential backoff. */
  retries: z.number().int().min(0).max(20).default(5),
});

/** The rules file: `{ "webhook"?: URL | {url, timeout?, retries?}, "rules": [...] }`. */
const rulesFileSchema = z.strictObject({
  webhook: z
    .union([z.url({ protocol: /^https?$/ }).transform((url) => webhookSchema.parse({ url })), webhookSchema])
    .optional(),
  rules: z.array(ruleSchema).superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.name))
        ctx.addIssue({ code: 'custom', message: `duplicate rule name '${rule.name}'`, path: [i, 'name'] });
      seen.add(rule.name);
    });
  }),
});

type RuleInput = z.input<typeof ruleSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;

/** A rule ready to match events. */
export interface AlertRule {
  name: string;
  level?: string;
  service?: string;
  pattern?: string;
  threshold: number;
  windowMs: number;
  cooldownMs: number;
  /** As written in the rules, for messages and records (`1m`). */
  window: string;
  matches(event: { level: string; service: string; message: string }): boolean;
}

export interface AlertRuleSet {
  rules: AlertRule[];
  webhook?: WebhookConfig;
}

/** LogStream's two rules, in force without `--rules`. */
const DEFAULT_RULES: RuleInput[] = [
  { name: 'high-error-rate', level: 'ERROR', threshold: 10, window: '1m' },
  { name: 'critical-burst', level: 'CRITICAL', threshold: 3, window: '30s' },
];

/** Reads and validates a rules file; InvalidInputError names the file and the field (`rules.0.window: …`). */
export function loadRulesFile(path: string): AlertRuleSet {
  return compileRuleSet(loadJsonFile(path, rulesFileSchema), path);
}

/** The rule set given as a value (the defaults, tests). */
export function parseRuleSet(value: unknown, source: string): AlertRuleSet {
  return compileRuleSet(parseWithSchema(rulesFileSchema, value, source), source);
}

export function defaultRuleSet(): AlertRuleSet {
  return parseRuleSet({ rules: DEFAULT_RULES }, 'default rules');
}

function compileRuleSet(file: z.output<typeof rulesFileSchema>, source: string): AlertRuleSet {
  const rules = file.rules.map((rule, i): AlertRule => {
    const level = rule.level === undefined ? undefined : normaliseLevel(rule.level);
    let regex: RegExp | undefined;
    if (rule.pattern !== undefined) {
      try {
        regex = compileUserPattern(rule.pattern);
      } catch (err) {
        // The same one-line shape as a schema error: the file, then the field.
        throw new InvalidInputError(`invalid at rules.${i}.pattern: ${(err as Error).message}`, { path: source });
      }
    }
    return {
      name: rule.name,
      level,
      service: rule.service,
      pattern: rule.pattern,
      threshold: rule.threshold,
      windowMs: rule.window,
      cooldownMs: rule.cooldown ?? 0,
      window: formatDuration(rule.window),
      matches: (event) =>
        (level === undefined || canonicalLevel(event.level) === level) &&
        (rule.service === undefined || event.service === rule.service) &&
        (regex === undefined || regex.test(event.message)),
    };
  });
  return file.webhook === undefined ? { rules } : { rules, webhook: file.webhook };
}

/** 60000 → `1m`, 30000 → `30s`, 1500 → `1500ms`: the largest unit that divides the duration. */
function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
