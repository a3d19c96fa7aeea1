import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * The original tool's design, as the anchor for the kv benchmarks: one JSON document `{cache, ttl}` (pretty,
 * indent 2, as Python's json.dump(indent=2) wrote it) rewritten whole on every set. Given the same durability as
 * esc (temp file, fsync, rename, fsync the directory) so the comparison is about the design, not about skipping
 * fsync; and kept in memory between calls, which is kinder to it than the original (that re-read the file on
 * every call, reads included).
 */
export class RewriteBaselineStore {
  private cache: Record<string, string> = {};
  private ttl: Record<string, number> = {};

  constructor(private readonly path: string) {
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as {
        cache?: Record<string, string>;
        ttl?: Record<string, number>;
      };
      this.cache = data.cache ?? {};
      this.ttl = data.ttl ?? {};
    } catch {
      /* a new store */
    }
  }

  set(key: string, value: string, ttlSeconds?: number): void {
    this.cache[key] = value;
    if (ttlSeconds) this.ttl[key] = Date.now() / 1000 + ttlSeconds;
    else delete this.ttl[key];
    this.save();
  }

  get(key: string): string | null {
    const expiry = this.ttl[key];
    if (expiry !== undefined && Date.now() / 1000 > expiry) return null;
    return this.cache[key] ?? null;
  }

  /** Loads many keys and saves once (building a store of a given size). */
  fill(pairs: Iterable<[string, string]>): void {
    for (const [k, v] of pairs) this.cache[k] = v;
    this.save();
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ cache: this.cache, ttl: this.ttl }, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}

/**
 * The original tool exactly as it behaved: every call re-reads and parses the whole file, and a set rewrites it
 * in place with no fsync and no rename (so a crash can leave it half-written). Faster per byte than the durable
 * variant above, slower per call because of the re-read.
 */
export class OriginalDesignStore {
  constructor(private readonly path: string) {}

  set(key: string, value: string): void {
    let data: { cache: Record<string, string>; ttl: Record<string, number> };
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8')) as typeof data;
    } catch {
      data = { cache: {}, ttl: {} };
    }
    data.cache[key] = value;
    delete data.ttl[key];
    writeFileSync(this.path, JSON.stringify(data, null, 2));
  }
}

/**
 * The disk's ceiling for any store that makes each write durable before the next: append one journal-sized
 * line and fdatasync, nothing else. One-at-a-time durable sets cannot go faster than this on this machine.
 */
export function appendSyncRate(path: string, count: number): number {
  const fd = openSync(path, 'w');
  const line = Buffer.from(`${'x'.repeat(80)}\n`);
  try {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      writeSync(fd, line);
      fdatasyncSync(fd);
    }
    return count / ((performance.now() - t0) / 1000);
  } finally {
    closeSync(fd);
  }
}
