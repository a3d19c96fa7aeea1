import type { StatsAccumulator } from './stats-accumulator.js';
import type { NormalisedTime, TimestampReader } from './timestamp-rules.js';

/**
 * Counts a line straight from the chunk text if it is a plain line; returns the index just after its
 * newline, or -1 when the general parser must decide.
 */
export interface StatsLineScanner {
  scan(text: string, start: number): number;
  /** Hands the counts kept locally (components) to the accumulator; call before reading the report. */
  flush(): void;
}

const SPACE = 32;
const COLON = 58;
const CR = 13;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The --stats fast path for the built-in hdfs format. The general path slices a line, runs the format's
 * regex, builds a field object and a record; this reads the characters of the chunk text in place and
 * allocates nothing for a plain line: the timestamp is recomputed only when its twelve digits change,
 * the level is recognised by its letters, the component found among those already seen by length and
 * prefix. It takes only a "plain" line: `dddddd dddddd ddd INFO component: message` with single spaces,
 * ASCII up to the message, an INFO level and a newline. Every such line is one the general `hdfs` pattern
 * matches with the same date, time, level and component (a differential test checks); anything else
 * (runs of blanks, tabs, other levels, so that WARN/ERROR messages are counted by the general path, an
 * impossible date, the last line without a newline) returns -1 and goes the general way.
 */
export function createHdfsStatsScanner(readTime: TimestampReader, stats: StatsAccumulator, maxLineLength: number): StatsLineScanner {
  let lastKey = -1;
  let time: NormalisedTime | null = null;
  const pair = ['', ''];
  // Components seen so far, bucketed by length; a new one is sliced out once.
  const byLength: number[][] = [];
  const names: string[] = [];
  const counts: number[] = [];
  const flush = () => {
    for (let i = 0; i < names.length; i++) if (counts[i]! > 0) stats.addComponentCount(names[i]!, counts[i]!);
    counts.fill(0);
  };
  const scan = (text: string, start: number): number => {
    let key = 0;
    for (let i = 0; i < 13; i++) {
      const c = text.charCodeAt(start + i);
      if (i === 6) {
        if (c !== SPACE) return -1;
      } else if (isDigit(c)) key = key * 10 + (c - 48);
      else return -1;
    }
    if (text.charCodeAt(start + 13) !== SPACE) return -1;
    let p = start + 14;
    const pidStart = p;
    while (isDigit(text.charCodeAt(p))) p++;
    if (p === pidStart || text.charCodeAt(p) !== SPACE) return -1;
    // Level: only INFO takes the fast path.
    if (text.charCodeAt(p + 1) !== 73 || text.charCodeAt(p + 2) !== 78 || text.charCodeAt(p + 3) !== 70 || text.charCodeAt(p + 4) !== 79 || text.charCodeAt(p + 5) !== SPACE) return -1;
    const cs = p + 6;
    let e = cs;
    for (;;) {
      const c = text.charCodeAt(e);
      if (c === COLON) break;
      // Blanks, control characters, non-ASCII (which might be a Unicode space) or the end: not plain.
      if (c <= SPACE || c > 126 || Number.isNaN(c)) return -1;
      e++;
    }
    if (e === cs || text.charCodeAt(e + 1) !== SPACE) return -1;
    let k = e + 2;
    while (text.charCodeAt(k) === SPACE) k++;
    const first = text.charCodeAt(k);
    if (first <= SPACE || first > 126) return -1;
    const nl = text.indexOf('\n', k);
    if (nl === -1) return -1;
    const lineLength = nl - start - (text.charCodeAt(nl - 1) === CR ? 1 : 0);
    if (lineLength > maxLineLength) return -1;
    if (key !== lastKey) {
      pair[0] = text.slice(start, start + 6);
      pair[1] = text.slice(start + 7, start + 13);
      time = readTime(pair);
      lastKey = key;
    }
    if (time === null) return -1;
    const len = e - cs;
    const candidates = byLength[len];
    let id = -1;
    if (candidates !== undefined) {
      for (let j = 0; j < candidates.length; j++) {
        if (text.startsWith(names[candidates[j]!]!, cs)) {
          id = candidates[j]!;
          break;
        }
      }
    }
    if (id === -1) {
      const component = text.slice(cs, e);
      // Remember a bounded number; past that, such a line goes the general way (still correct, only slower).
      if (names.length >= 4096) return -1;
      id = names.length;
      names.push(component);
      counts.push(0);
      (byLength[len] ??= []).push(id);
    }
    counts[id]!++;
    stats.count('INFO', undefined, undefined, time);
    return nl + 1;
  };
  return { scan, flush };
}

