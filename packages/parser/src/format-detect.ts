import { compileFormat } from './log-format.js';
import type { FormatDefinition, LogFormat } from './format-types.js';
import type { TimestampOptions } from './timestamp-rules.js';

export interface Detection {
  format: LogFormat;
  /** The definition it was compiled from, so a caller can recompile it (with a user's --timestamp). */
  definition: FormatDefinition;
  /** Sample lines (non-blank) the chosen format matched, and how many were tried. */
  matched: number;
  tried: number;
}

/**
 * Picks the format for `--format auto`: each candidate is scored on the first non-blank sample lines by how
 * many it matches with a readable timestamp (a match whose date is nonsense is probably the wrong format);
 * the best score wins, ties going to the earlier candidate (the built-ins are listed most specific first).
 * Null when no candidate matches any line.
 */
export function detectFormat(
  sampleLines: readonly string[],
  candidates: readonly FormatDefinition[],
  tsOptions: TimestampOptions = {},
): Detection | null {
  const lines = sampleLines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  let best: Detection | null = null;
  let bestScore = 0;
  for (const def of candidates) {
    const format = compileFormat(def, tsOptions);
    let score = 0;
    let matched = 0;
    for (const line of lines) {
      if (line.length > 64 * 1024) continue;
      const p = format.parse(line);
      if (p === null) continue;
      matched++;
      score += p.time !== null || !format.hasTimestamp ? 2 : 1;
    }
    if (score > bestScore) {
      best = { format, definition: def, matched, tried: lines.length };
      bestScore = score;
    }
  }
  return best;
}
