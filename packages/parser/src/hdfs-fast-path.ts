import type { MessageTap } from './message-tap.js';
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

const CR = 13;

// A plain line up to the colon after its component (the lookahead checks the message starts with a printable
// character). `test` on a sticky regex runs in native code and
// builds no match object; the fields are then found with indexOf/startsWith, which allocate nothing either.
const PLAIN = /\d{6} \d{6} \d+ INFO [^\s:]+(?=: +[!-~])/y;

/**
 * The --stats fast path for the built-in hdfs format. The general path slices a line, runs the format's
 * regex, builds a field object and a record; this checks a line's shape in place in the decoded chunk and
 * allocates nothing for a plain line: the timestamp is recomputed only when its thirteen characters change,
 * the component is found among those already seen by length and prefix and counted in an array. It takes only
 * a "plain" line: `dddddd dddddd ddd INFO component: message` with single spaces, a component without blanks
 * or colons, a printable ASCII first message character and a newline. Every such line is one the general
 * `hdfs` pattern matches with the same date, time, level and component (a property test checks); anything
 * else (runs of blanks, tabs, other levels, so that WARN/ERROR messages are counted by the general path, an
 * impossible date, the last line without a newline) returns -1 and goes the general way.
 */
export function createHdfsStatsScanner(
  readTime: TimestampReader,
  stats: StatsAccumulator,
  maxLineLength: number,
  messages?: MessageTap,
): StatsLineScanner {
  let lastStamp = '\n';
  const pair = ['', ''];
  // Components seen so far, bucketed by length; a new one is sliced out once.
  const byLength: number[][] = [];
  const names: string[] = [];
  const counts: number[] = [];
  const flush = () => {
    flushRun();
    for (let i = 0; i < names.length; i++) if (counts[i]! > 0) stats.addComponentCount(names[i]!, counts[i]!);
    counts.fill(0);
  };
  // INFO lines of the current second, counted here and handed to the accumulator in one call when the second
  // changes (the statistics are sums, so the order they arrive in does not matter).
  let run = 0;
  let runTime: NormalisedTime | null = null;
  const flushRun = () => {
    if (run > 0) stats.countMany('INFO', run, runTime);
    run = 0;
  };
  const scan = (text: string, start: number): number => {
    PLAIN.lastIndex = start;
    if (!PLAIN.test(text)) return -1;
    const e = PLAIN.lastIndex;
    const nl = text.indexOf('\n', e);
    if (nl === -1) return -1;
    if (nl - start - (text.charCodeAt(nl - 1) === CR ? 1 : 0) > maxLineLength) return -1;
    if (!text.startsWith(lastStamp, start)) {
      const stamp = text.slice(start, start + 13);
      pair[0] = stamp.slice(0, 6);
      pair[1] = stamp.slice(7);
      const t = readTime(pair);
      if (t === null) return -1;
      flushRun();
      lastStamp = stamp;
      runTime = t;
    }
    // The component has no blank, so it starts after the last space before its colon.
    const cs = text.lastIndexOf(' ', e) + 1;
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
      // Remember a bounded number; past that, such a line goes the general way (still correct, only slower).
      if (names.length >= 4096) return -1;
      id = names.length;
      names.push(text.slice(cs, e));
      counts.push(0);
      byLength[len] ??= [];
      byLength[len].push(id);
    }
    counts[id]!++;
    run++;
    if (messages?.wants()) {
      // The message the general pattern captures: after the colon and its blanks, to the trimmed line end.
      let ms = e + 1;
      while (text.charCodeAt(ms) === 32) ms++;
      messages.give(text.slice(ms, nl).trimEnd());
    }
    return nl + 1;
  };
  return { scan, flush };
}

/**
 * Emits the NDJSON of a line straight from the chunk text if it is a plain line; returns the index just after
 * its newline, or -1 when the general parser must decide. The JSON goes to `take()`.
 */
export interface NdjsonLineScanner {
  scan(text: string, start: number): number;
  /** The JSON lines gathered since the last call (ASCII only). */
  take(): string;
}

// A plain line whose every field can be written as "value" with no escaping: printable ASCII without `"` or
// `\`, single spaces between the fields, a message that starts and ends with a non-blank character.
const SAFE_LINE = /(\d{6}) (\d{6}) (\d+) ([A-Z]+) ([!#-9;-[\]-~]+): +([!#-[\]-~](?:[ !#-[\]-~]*[!#-[\]-~])?)\r?\n/y;

/**
 * The NDJSON fast path for the built-in hdfs format (`esc parse` with no filter and no statistics): for a
 * plain line it writes `{"date":…,"timestamp":…}` from the regex captures without a field object, a record,
 * trimming or escaping checks; every such line gives byte for byte what the general path and NdjsonWriter
 * give (a property test checks). Anything else, including an impossible date, goes the general way.
 */
export function createHdfsNdjsonScanner(readTime: TimestampReader, maxLineLength: number): NdjsonLineScanner {
  let lastStamp = '\n';
  let stampJson = '';
  const pair = ['', ''];
  let out = '';
  return {
    scan(text, start) {
      SAFE_LINE.lastIndex = start;
      const m = SAFE_LINE.exec(text);
      if (m === null) return -1;
      const end = SAFE_LINE.lastIndex;
      if (end - start - (text.charCodeAt(end - 2) === CR ? 2 : 1) > maxLineLength) return -1;
      if (!text.startsWith(lastStamp, start)) {
        lastStamp = text.slice(start, start + 13);
        pair[0] = m[1]!;
        pair[1] = m[2]!;
        const time = readTime(pair);
        stampJson = time === null ? '' : `,"timestamp":"${time.iso}"}\n`;
      }
      if (stampJson === '') return -1;
      out += `{"date":"${m[1]}","time":"${m[2]}","pid":"${m[3]}","level":"${m[4]}","component":"${m[5]}","content":"${m[6]}"${stampJson}`;
      return end;
    },
    take() {
      const s = out;
      out = '';
      return s;
    },
  };
}
