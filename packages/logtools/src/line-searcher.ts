import type { LineCounts, LineMatcher } from './line-matcher.js';

const counts: LineCounts = { lines: 0, matching: 0 };

/**
 * Receives a chunk's lines as the searcher classifies them. Offsets point into the chunk; a line's end
 * excludes its newline. Returning false stops the search (the answer is known: -m, -q, a closed pipe).
 */
export interface LineSink {
  /** A line the patterns match. */
  matched(chunk: Buffer, start: number, end: number): boolean;
  /**
   * Whole lines in `chunk[start, end)` that do not match; `end` is just after a newline or the chunk's end.
   * Only called when `wantsUnmatched` is true, so a plain count never pays for them.
   */
  unmatched(chunk: Buffer, start: number, end: number): boolean;
  readonly wantsUnmatched: boolean;
  /**
   * Set when the sink only counts matching and non-matching lines (`-c -v`): then `counted` receives a
   * chunk's totals, when the matcher can count them on its own.
   */
  readonly countsOnly: boolean;
  counted(matching: number, unmatched: number): boolean;
  /** False when matched() ignores `start` (a plain count): the searcher then skips looking back for it. */
  readonly needsLineStart: boolean;
}

/**
 * The hot loop: jumps from candidate to candidate with the matcher's prefilter, cuts out just the
 * candidate's line, verifies it (unless the prefilter is exact) and reports lines to the sink. It knows
 * nothing of flags or output. Returns false when the sink asked to stop.
 */
export function searchChunk(chunk: Buffer, matcher: LineMatcher, sink: LineSink): boolean {
  if (sink.countsOnly && matcher.countLines(chunk, counts))
    return sink.counted(counts.matching, counts.lines - counts.matching);
  const prefilter = matcher.prefilter;
  const verify = !prefilter.exact;
  const wantsUnmatched = sink.wantsUnmatched;
  // Dense counts (`-c INFO`) pay per line: skip the look-back when nobody needs where the line starts.
  const lookBack = wantsUnmatched || sink.needsLineStart || (verify && !matcher.verifiesFromHit);
  const n = chunk.length;
  let pos = 0;
  while (pos < n) {
    const hit = prefilter.find(chunk, pos);
    if (hit === -1) return wantsUnmatched ? sink.unmatched(chunk, pos, n) : true;
    const lineStart = hit === pos || !lookBack ? hit : chunk.lastIndexOf(10, hit - 1) + 1;
    let lineEnd = chunk.indexOf(10, hit);
    if (lineEnd === -1) lineEnd = n;
    // A candidate found at a newline (a regex prefilter may match one) belongs to the line it ends.
    const start = Math.max(lineStart, pos);
    if (wantsUnmatched && start > pos && !sink.unmatched(chunk, pos, start)) return false;
    if (!verify || matcher.isMatch(chunk, start, lineEnd)) {
      if (!sink.matched(chunk, start, lineEnd)) return false;
    } else if (wantsUnmatched && !sink.unmatched(chunk, start, Math.min(lineEnd + 1, n))) {
      return false;
    }
    pos = lineEnd + 1;
  }
  return true;
}
