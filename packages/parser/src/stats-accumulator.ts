import { bucketise, chooseBucketSeconds, formatDuration, MAX_BUCKETS, BUCKET_SIZES } from './histogram.js';
import { levelClass, normaliseLevel } from './level-names.js';
import { messageShape } from './message-shape.js';
import type { StatsReport } from './stats-report-schema.js';
import type { NormalisedTime } from './timestamp-rules.js';

export interface StatsOptions {
  /** How many malformed / invalid-timestamp lines to keep as samples (default 5). */
  samples?: number;
  /** Rows in the component and message top lists (default 5). */
  top?: number;
  /** Histogram bucket in seconds; default: chosen from the span. */
  bucketSeconds?: number;
  /** Rows the automatic bucket size aims for (default 30). */
  histogramRows?: number;
}

// Distinct components and message shapes tracked; past this, new ones are counted under "(other)" so memory
// stays bounded on a log with unbounded variety.
const MAX_DISTINCT = 5000;
const OTHER = '(other)';

/** Anything with the shape of a parsed record: what the accumulator needs from it. */
export interface StatsEvent {
  level?: string | undefined;
  component?: string | undefined;
  message?: string | undefined;
  time: NormalisedTime | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Wall-clock seconds since 1970 → `YYYY-MM-DDTHH:MM:SS` (the written time, no offset). */
function isoOfSeconds(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function bump(map: Map<string, number>, key: string): void {
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + 1);
  else if (map.size < MAX_DISTINCT) map.set(key, 1);
  else map.set(OTHER, (map.get(OTHER) ?? 0) + 1);
}

/**
 * Accumulates the statistics of a stream of records in constant memory (apart from per-second counts, which
 * grow with the number of distinct seconds). Feed it lines as they are read: `addLine` for every line,
 * then `addEvent` for a selected record, `addMalformed` / `addInvalidTimestamp` / `addFilteredOut` as they occur.
 */
export class StatsAccumulator {
  linesRead = 0;
  parsed = 0;
  malformed = 0;
  invalidTimestamps = 0;
  filteredOut = 0;
  events = 0;
  private withTime = 0;
  // Raw level text → normalised, so the common case costs one Map lookup.
  private readonly levelCache = new Map<string, string>();
  private readonly components = new Map<string, number>();
  private readonly messages = new Map<string, Map<string, number>>();
  private first: NormalisedTime | null = null;
  private last: NormalisedTime | null = null;
  /** [events, warn, error] by wall-clock second. */
  private readonly perSecond = new Map<number, number[]>();
  // The current run of records in the same second (logs are mostly in time order): counted locally and
  // folded into perSecond when the second changes.
  private runSecond = NaN;
  private runCounts = [0, 0, 0];
  private readonly malformedSamples: { line: number; text: string }[] = [];
  private readonly invalidSamples: { line: number; text: string }[] = [];
  private readonly samples: number;
  private readonly top: number;

  constructor(
    private readonly source: string,
    private readonly format: string,
    private readonly options: StatsOptions = {},
  ) {
    this.samples = options.samples ?? 5;
    this.top = options.top ?? 5;
  }

  addLines(n: number): void {
    this.linesRead += n;
  }

  addMalformed(line: number, text: string): void {
    this.malformed++;
    if (this.malformedSamples.length < this.samples) this.malformedSamples.push({ line, text: clip(text) });
  }

  /** A parsed line with an impossible timestamp (it is still an event if selected: call addEvent too). */
  addInvalidTimestamp(line: number, text: string): void {
    this.invalidTimestamps++;
    if (this.invalidSamples.length < this.samples) this.invalidSamples.push({ line, text: clip(text) });
  }

  addFilteredOut(): void {
    this.parsed++;
    this.filteredOut++;
  }

  /** A parsed, selected record. */
  addEvent(event: StatsEvent): void {
    this.count(event.level, event.component, event.message, event.time);
  }

  /**
   * The same as addEvent without the object, for hot loops: level, component and message as written
   * (undefined when the format has none), and the record's time.
   */
  count(
    rawLevel: string | undefined,
    component: string | undefined,
    message: string | undefined,
    t: NormalisedTime | null,
  ): void {
    this.countMany(rawLevel, 1, t);
    if (rawLevel !== undefined && this.lastLevelClass !== 0 && message !== undefined) {
      const level = this.levelNames[this.lastLevelIndex]!;
      let m = this.messages.get(level);
      if (!m) {
        m = new Map();
        this.messages.set(level, m);
      }
      bump(m, messageShape(message));
    }
    if (component !== undefined) bump(this.components, component);
  }

  /** `n` events of one level (or none) at one time, without component or message (fast paths count runs). */
  countMany(rawLevel: string | undefined, n: number, t: NormalisedTime | null): void {
    if (n <= 0) return;
    this.parsed += n;
    this.events += n;
    let cls = 0;
    if (rawLevel !== undefined) {
      // Consecutive records mostly share a level: one string compare instead of a Map lookup.
      if (rawLevel !== this.lastRawLevel) this.selectLevel(rawLevel);
      this.levelCounts[this.lastLevelIndex]! += n;
      cls = this.lastLevelClass;
    }
    if (t !== null) {
      this.withTime += n;
      const s = t.seconds;
      if (s !== this.runSecond) {
        this.flushRun();
        this.runSecond = s;
        if (this.first === null || s < this.first.seconds) this.first = t;
        if (this.last === null || s > this.last.seconds) this.last = t;
      }
      this.runCounts[0]! += n;
      if (cls !== 0) this.runCounts[cls]! += n;
    }
  }

  /** `n` more events of `component` (for fast paths that count components themselves). */
  addComponentCount(component: string, n: number): void {
    const c = this.components.get(component);
    if (c !== undefined) this.components.set(component, c + n);
    else if (this.components.size < MAX_DISTINCT) this.components.set(component, n);
    else this.components.set(OTHER, (this.components.get(OTHER) ?? 0) + n);
  }

  private lastRawLevel: string | undefined = undefined;
  private lastLevelIndex = 0;
  private lastLevelClass = 0;
  private readonly levelIndex = new Map<string, number>();
  private readonly levelNames: string[] = [];
  private readonly levelCounts: number[] = [];

  private selectLevel(raw: string): void {
    let level = this.levelCache.get(raw);
    if (level === undefined) {
      level = normaliseLevel(raw);
      if (this.levelCache.size < MAX_DISTINCT) this.levelCache.set(raw, level);
    }
    let i = this.levelIndex.get(level);
    if (i === undefined) {
      if (this.levelNames.length >= MAX_DISTINCT) level = OTHER;
      i = this.levelIndex.get(level);
      if (i === undefined) {
        i = this.levelNames.length;
        this.levelIndex.set(level, i);
        this.levelNames.push(level);
        this.levelCounts.push(0);
      }
    }
    this.lastRawLevel = raw;
    this.lastLevelIndex = i;
    const c = levelClass(level);
    this.lastLevelClass = c === 'warn' ? 1 : c === 'error' ? 2 : 0;
  }

  private flushRun(): void {
    if (this.runCounts[0] === 0) return;
    const c = this.perSecond.get(this.runSecond);
    if (c) {
      c[0]! += this.runCounts[0]!;
      c[1]! += this.runCounts[1]!;
      c[2]! += this.runCounts[2]!;
    } else this.perSecond.set(this.runSecond, this.runCounts);
    this.runCounts = [0, 0, 0];
  }

  /** The report so far (can be called more than once). */
  report(): StatsReport {
    this.flushRun();
    const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 10000) / 100);
    const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const span = this.first && this.last ? this.last.seconds - this.first.seconds : null;
    // Peaks: the largest count, the earliest second (minute) on a tie.
    let peakS = NaN;
    let peakSN = 0;
    const perMinute = new Map<number, number>();
    for (const [s, c] of this.perSecond) {
      if (c[0]! > peakSN || (c[0] === peakSN && s < peakS)) [peakS, peakSN] = [s, c[0]!];
      const minute = Math.floor(s / 60) * 60;
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + c[0]!);
    }
    let peakM = NaN;
    let peakMN = 0;
    for (const [m, n] of perMinute) if (n > peakMN || (n === peakMN && m < peakM)) [peakM, peakMN] = [m, n];
    const peakSecond = peakSN > 0 ? { at: isoOfSeconds(peakS), events: peakSN } : null;
    const peakMinute = peakMN > 0 ? { at: isoOfSeconds(peakM).slice(0, 16), events: peakMN } : null;
    let bucketSeconds =
      this.options.bucketSeconds ??
      (this.first && this.last
        ? chooseBucketSeconds(this.first.seconds, this.last.seconds, this.options.histogramRows)
        : 60);
    if (this.first && this.last) {
      // A --bucket too fine for the span would draw millions of rows: widen it to the first size that fits.
      const rows = (size: number) => Math.floor(this.last!.seconds / size) - Math.floor(this.first!.seconds / size) + 1;
      if (rows(bucketSeconds) > MAX_BUCKETS)
        bucketSeconds =
          BUCKET_SIZES.find(([, size]) => size >= bucketSeconds && rows(size) <= MAX_BUCKETS)?.[1] ??
          BUCKET_SIZES[BUCKET_SIZES.length - 1]![1];
    }
    const topMessages: Record<string, { message: string; count: number }[]> = {};
    for (const [level, m] of [...this.messages].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      topMessages[level] = sorted(m)
        .slice(0, this.top)
        .map(([message, count]) => ({ message, count }));
    return {
      source: this.source,
      format: this.format,
      lines: {
        read: this.linesRead,
        parsed: this.parsed,
        malformed: this.malformed,
        invalidTimestamps: this.invalidTimestamps,
        filteredOut: this.filteredOut,
      },
      events: this.events,
      time: { first: this.first?.iso ?? null, last: this.last?.iso ?? null, spanSeconds: span },
      rate: {
        eventsPerSecond: span === null ? null : this.withTime / Math.max(span, 1),
        eventsWithTimestamp: this.withTime,
        denominatorSeconds: span === null ? null : Math.max(span, 1),
        peakSecond,
        peakMinute,
      },
      levels: sorted(new Map(this.levelNames.map((n, i) => [n, this.levelCounts[i]!]))).map(([level, count]) => ({
        level,
        count,
        percent: pct(count, this.events),
      })),
      topComponents: sorted(this.components)
        .slice(0, this.top)
        .map(([component, count]) => ({ component, count, percent: pct(count, this.events) })),
      topMessages,
      histogram: {
        bucket: formatDuration(bucketSeconds),
        bucketSeconds,
        buckets: bucketise(this.perSecond, bucketSeconds).map((b) => ({
          start: isoOfSeconds(b.start),
          events: b.events,
          warn: b.warn,
          error: b.error,
        })),
      },
      malformedSamples: [...this.malformedSamples],
      invalidTimestampSamples: [...this.invalidSamples],
    };
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
