import { z } from 'zod';

/**
 * A miner's saved state (`--state FILE`): its options and live clusters, least recently used first, so that
 * a resumed miner continues where the last run stopped. Version 1; a file of another version is refused.
 */
export const minerStateSchema = z.object({
  version: z.literal(1),
  options: z.object({
    similarity: z.number().min(0).max(1),
    prefixTokens: z.number().int().min(0).max(8),
    maxChildren: z.number().int().min(1),
    maxClusters: z.number().int().min(1),
    foldAt: z.number().int().min(2),
    masks: z.array(
      z.object({ name: z.string().min(1), pattern: z.string().min(1), lead: z.string().min(1).optional() }),
    ),
  }),
  nextClusterId: z.number().int().min(1),
  clusters: z.array(
    z.object({
      id: z.number().int().min(1),
      tokens: z.array(z.string()),
      count: z.number().int().min(0),
      sample: z.string(),
    }),
  ),
});

export type MinerState = z.infer<typeof minerStateSchema>;
