import { normaliseLevel } from '@esc/parser';

const canonicalLevels = new Map<string, string>();

/**
 * normaliseLevel, remembered: every ingested event and every alert rule asks, and levels are few. One lookup
 * instead of trimming, upper-casing and an alias table per event, and the same string each time (its hash
 * computed once for the indexes' maps).
 */
export function canonicalLevel(raw: string): string {
  let level = canonicalLevels.get(raw);
  if (level === undefined) {
    if (canonicalLevels.size >= 1024) canonicalLevels.clear();
    level = normaliseLevel(raw);
    canonicalLevels.set(raw, level);
  }
  return level;
}
