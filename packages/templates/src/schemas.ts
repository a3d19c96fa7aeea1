// The zod schemas of @esc/templates, apart from the main entry so that mining does not load zod.
import { z } from 'zod';
import { DEFAULT_MINER_OPTIONS } from './miner-options.js';

export const maskRuleSchema = z.object({
  name: z.string().min(1),
  pattern: z.string().min(1),
  lead: z.string().min(1).optional(),
});

/** MinerOptions, validated, with the defaults filled in. */
export const minerOptionsSchema = z.object({
  similarity: z.number().min(0).max(1).default(DEFAULT_MINER_OPTIONS.similarity),
  prefixTokens: z.number().int().min(0).max(8).default(DEFAULT_MINER_OPTIONS.prefixTokens),
  maxChildren: z.number().int().min(1).default(DEFAULT_MINER_OPTIONS.maxChildren),
  maxClusters: z.number().int().min(1).default(DEFAULT_MINER_OPTIONS.maxClusters),
  foldAt: z.number().int().min(2).default(DEFAULT_MINER_OPTIONS.foldAt),
  masks: z.array(maskRuleSchema).default(() => DEFAULT_MINER_OPTIONS.masks.map((m) => ({ ...m }))),
});

/** A `--masks` file: user masks, tried before the default ones unless `defaults` is false. */
export const maskFileSchema = z.object({
  masks: z.array(maskRuleSchema),
  defaults: z.boolean().default(true),
});
export type MaskFile = z.infer<typeof maskFileSchema>;

export { minerStateSchema, type MinerState } from './miner-state.js';
