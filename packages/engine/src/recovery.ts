import { readdirSync, truncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CorruptionError, fsyncDirSync, isErrno } from '@esc/core';
import { flushMemtables } from './background-scheduler.js';
import { BlockCache } from './block-cache.js';
import type { Config } from './config.js';
import type { DirLock } from './dir-lock.js';
import type { RecoveryReport } from './engine-stats.js';
import { MANIFEST_FILE, emptyManifest, readManifest, writeManifest, type ManifestData } from './manifest.js';
import { Memtable } from './memtable.js';
import { parseSegmentFileName, segmentFileName } from './segment-format.js';
import { segmentProperties } from './segment-meta.js';
import { SegmentReader, type BloomStats } from './segment-reader.js';
import { Version } from './version.js';
import { manifestOf, recordedPath, sortLevels, type VersionSetState } from './version-set.js';
import { RecordType, parseWalFileName, walFileName } from './wal-format.js';
import { readWal } from './wal-reader.js';
import { WalWriter } from './wal-writer.js';
import { walPreallocation } from './write-path.js';
import { decodeBatch } from './write-batch.js';
import { removeQuietly } from './remove-quietly.js';

/** What recovery hands the engine: the live segments, a fresh log and memtable, and the counters. */
export interface RecoveredState extends VersionSetState {
  mem: Memtable;
  wal: WalWriter;
  seq: number;
  walCounters: { syncs: number };
  bloomStats: BloomStats;
  cache: BlockCache;
  recovery: RecoveryReport;
}

/**
 * Recovery (LevelDB's DBImpl::Recover): read the manifest, open its segments, replay every log from the
 * manifest's log number on (cutting off and reporting a torn tail), write what was replayed to a level-0
 * segment, point the manifest at a fresh log, and delete files nothing references: outputs of a flush or
 * compaction that crashed before its manifest rename, inputs of one that crashed after it, replayed logs.
 * Segments it opens are pushed to `opened`, so the caller can let them go if recovery fails.
 */
export async function recover(
  dir: string,
  config: Config,
  lock: DirLock,
  opened: SegmentReader[],
): Promise<RecoveredState> {
  const existing = readManifest(dir);
  const dirFiles = readdirSync(dir);
  // The logs still needed may sit where the manifest says the last owner wrote them, if this open was
  // given another walDir: both are read, so changing walDir never loses an acknowledged write.
  const walDirs = [config.walDir];
  const recordedWalDir = existing?.walDir === undefined ? undefined : resolve(dir, existing.walDir);
  if (recordedWalDir !== undefined && recordedWalDir !== config.walDir) walDirs.push(recordedWalDir);
  const walFilesByDir = walDirs.map((d) => {
    if (d === dir) return dirFiles;
    try {
      return readdirSync(d);
    } catch (err) {
      throw new CorruptionError(
        `the MANIFEST says the write-ahead logs are in ${d}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        { path: join(dir, MANIFEST_FILE), offset: 0 },
      );
    }
  });
  if (existing === undefined && dirFiles.some((f) => parseSegmentFileName(f) !== undefined)) {
    throw new CorruptionError('segment files exist but the MANIFEST is missing; refusing to start over them', {
      path: join(dir, MANIFEST_FILE),
      offset: 0,
    });
  }
  const manifest: ManifestData = existing ?? emptyManifest();
  let maxSeen = manifest.nextFileNumber - 1;
  for (const f of dirFiles) maxSeen = Math.max(maxSeen, parseSegmentFileName(f) ?? 0);
  for (const files of walFilesByDir) for (const f of files) maxSeen = Math.max(maxSeen, parseWalFileName(f) ?? 0);
  let nextFile = maxSeen + 1;

  const bloomStats: BloomStats = { probes: 0, falsePositives: 0 };
  const cache = new BlockCache(config.blockCacheSize);
  const levels: SegmentReader[][] = [[]];
  for (const meta of manifest.segments) {
    const path = join(dir, segmentFileName(meta.id));
    let reader: SegmentReader;
    try {
      reader = SegmentReader.open(meta.id, path, cache, bloomStats, segmentProperties(meta));
    } catch (err) {
      if (isErrno((err as { cause?: unknown }).cause, 'ENOENT'))
        throw new CorruptionError('segment listed in the MANIFEST is missing', { path, offset: 0 });
      throw err;
    }
    opened.push(reader);
    while (levels.length <= meta.level) levels.push([]);
    levels[meta.level]!.push(reader);
  }
  sortLevels(levels);

  // Replay the logs that are not yet in segments.
  const recovery: RecoveryReport = { tornTails: [], staleLockPid: lock.recoveredFrom, replayedBatches: 0 };
  const logs = walFilesByDir
    .flatMap((files, i) => files.map((f) => ({ n: parseWalFileName(f), path: join(walDirs[i]!, f) })))
    .filter((l): l is { n: number; path: string } => l.n !== undefined && l.n >= manifest.logNumber)
    .sort((a, b) => a.n - b.n);
  const replay = new Memtable(0);
  let seq = manifest.lastSequence;
  for (const { path } of logs) {
    const contents = readWal(path);
    for (const rec of contents.records) {
      let batch: ReturnType<typeof decodeBatch>;
      try {
        if (rec.type !== RecordType.Batch) throw new RangeError(`unknown record type ${rec.type}`);
        batch = decodeBatch(rec.payload);
      } catch (err) {
        throw new CorruptionError(`write-ahead log record is malformed: ${(err as Error).message}`, {
          path,
          offset: rec.offset,
        });
      }
      for (const [i, e] of batch.entries.entries())
        replay.insert(Buffer.from(e.key), batch.seq + i, e.value === null ? null : Buffer.from(e.value));
      seq = Math.max(seq, batch.seq + batch.entries.length - 1);
      recovery.replayedBatches++;
    }
    if (contents.torn) {
      truncateSync(path, contents.validLength);
      recovery.tornTails.push(contents.torn);
    }
  }
  let flushes = manifest.flushes;
  if (replay.entries > 0) {
    const id = nextFile++;
    // In-process: open is about to return anyway, and a short-lived process (the CLI) should not pay for
    // starting the flush thread only to write what it replayed.
    const reader = await flushMemtables(dir, config, [replay], id, cache, bloomStats, false);
    opened.push(reader);
    levels[0]!.unshift(reader);
    flushes++;
  }
  const walNumber = nextFile++;
  const version = new Version(levels);
  await writeManifest(
    dir,
    manifestOf(version, {
      nextFileNumber: nextFile,
      logNumber: walNumber,
      lastSequence: seq,
      flushes,
      compactions: manifest.compactions,
      walDir: recordedPath(dir, config.walDir),
    }),
  );

  // Nothing references these any more.
  const live = new Set(version.all().map((s) => s.id));
  for (const f of dirFiles) {
    const id = parseSegmentFileName(f);
    if ((id !== undefined && !live.has(id)) || /^\..*\.tmp$/.test(f)) removeQuietly(join(dir, f));
  }
  walFilesByDir.forEach((files, i) => {
    for (const f of files) {
      const n = parseWalFileName(f);
      if (n !== undefined && n < walNumber) removeQuietly(join(walDirs[i]!, f));
    }
  });
  const walCounters = { syncs: 0 };
  const wal = new WalWriter(
    join(config.walDir, walFileName(walNumber)),
    walNumber,
    walCounters,
    walPreallocation(config),
  );
  fsyncDirSync(config.walDir);
  return {
    mem: new Memtable(walNumber),
    wal,
    version,
    seq,
    nextFile,
    logNumber: walNumber,
    flushes,
    compactions: manifest.compactions,
    bloomStats,
    cache,
    recovery,
    walCounters,
  };
}
