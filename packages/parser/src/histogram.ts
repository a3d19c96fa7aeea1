/**
 * Time buckets for the histogram: the size is chosen so the whole span fits in about `targetRows` rows
 * (or given with --bucket), every bucket from the first to the last is shown, empty ones included.
 */
export const BUCKET_SIZES: readonly [string, number][] = [
  ['1s', 1],
  ['5s', 5],
  ['10s', 10],
  ['30s', 30],
  ['1m', 60],
  ['5m', 300],
  ['10m', 600],
  ['15m', 900],
  ['30m', 1800],
  ['1h', 3600],
  ['2h', 7200],
  ['3h', 10800],
  ['6h', 21600],
  ['12h', 43200],
  ['1d', 86400],
  ['7d', 604800],
  ['30d', 2592000],
  ['365d', 31536000],
];

/** The most buckets a histogram holds; a --bucket too small for the span is widened to fit. */
export const MAX_BUCKETS = 10_000;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `30s`, `1m`, `2h`, `1d`, `1w` → seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*([smhdw])$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * UNIT_SECONDS[m[2]!.toLowerCase()]!;
  return n > 0 ? n : null;
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** The bucket size for a span: the smallest standard size giving at most `targetRows` buckets. */
export function chooseBucketSeconds(first: number, last: number, targetRows = 30): number {
  for (const [, size] of BUCKET_SIZES)
    if (Math.floor(last / size) - Math.floor(first / size) + 1 <= targetRows) return size;
  return BUCKET_SIZES[BUCKET_SIZES.length - 1]![1];
}

export interface Bucket {
  /** Wall-clock seconds of the bucket's start. */
  start: number;
  events: number;
  warn: number;
  error: number;
}

/**
 * Folds per-second counts ([events, warn, error] by wall-clock second) into buckets of `size` seconds, from
 * the first bucket to the last, empty ones included. Buckets align to multiples of the size since 1970.
 */
export function bucketise(perSecond: ReadonlyMap<number, readonly number[]>, size: number): Bucket[] {
  if (perSecond.size === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of perSecond.keys()) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const firstBucket = Math.floor(lo / size);
  const count = Math.floor(hi / size) - firstBucket + 1;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: (firstBucket + i) * size,
    events: 0,
    warn: 0,
    error: 0,
  }));
  for (const [s, c] of perSecond) {
    const b = buckets[Math.floor(s / size) - firstBucket]!;
    b.events += c[0]!;
    b.warn += c[1]!;
    b.error += c[2]!;
  }
  return buckets;
}
