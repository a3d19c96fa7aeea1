import { fdatasyncSync, readSync, renameSync, writeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileAccessError, fsyncDir, fsyncDirSync } from '@esc/core';
import { encodeLine, JOURNAL_FORMAT, JOURNAL_VERSION } from './journal-format.js';
import { isExpired, type KvEntry } from './kv-entry.js';
import type { ResolvedKvOptions } from './kv-options.js';
import { renderSnapshot } from './snapshot-writer.js';
import type { StoreView } from './store-view.js';

/**
 * A long-lived store's compaction, in two steps that never stop its appends (a compaction's fsyncs took
 * 15–40 ms, during which every write used to wait, several times a second under load):
 *
 * 1. `writeSnapshot`: the entries are captured (expired ones swept) at journal offset X, and snapshot G+1 is
 *    written to a temp file, fsynced and renamed in on libuv's thread pool, its header saying `journalFrom`
 *    {J, X}: it holds journal J up to X. Appends go on into journal J; a reader then applies J from X.
 * 2. `JournalSwitch`: journal G+1 is written to a temp file (its header, then journal J's lines from X) and
 *    fsynced on the thread pool while appends go on into J; then, synchronously on the event loop, the lines
 *    appended meanwhile are copied after them and the file is renamed over journal J.
 *
 * Every state on disk in between is whole (snapshot G + journal J; snapshot G+1 + journal J from X; snapshot
 * G+1 + journal G+1), so a crash or a reader at any point sees every acknowledged change. The caller holds the
 * store lock throughout.
 */
export interface SnapshotWritten {
  generation: number;
  snapshotBytes: number;
  /** The journal offset the snapshot holds the lines up to. */
  journalFrom: number;
}

export async function writeSnapshot(view: StoreView, now: number): Promise<SnapshotWritten> {
  const live: [string, KvEntry][] = [];
  const entries = view.entries();
  for (const [key, entry] of entries) {
    if (isExpired(entry, now)) entries.delete(key);
    else live.push([key, entry]);
  }
  const generation = view.generation + 1;
  const from = { generation: view.journalGeneration, offset: view.journalEnd };
  const snapshot = renderSnapshot(generation, live, new Date(now), from);
  await writeFileAtomic(view.files.snapshot, snapshot);
  return { generation, snapshotBytes: snapshot.length, journalFrom: from.offset };
}

/** Step 2: a new journal holding the current one's lines from `from` on, put in its place. */
export class JournalSwitch {
  private handle: FileHandle | null = null;
  private readonly tmp: string;
  private readonly header: Buffer;
  /** Offset in the old journal up to which the new one holds its lines. */
  private copiedTo = 0;
  private bytes = 0;
  private lines = 1;

  constructor(
    private readonly view: StoreView,
    private readonly from: number,
  ) {
    this.tmp = tempName(view.files.journal);
    this.header = Buffer.from(
      encodeLine({ journal: JOURNAL_FORMAT, version: JOURNAL_VERSION, generation: view.generation }),
    );
  }

  /** Writes and fsyncs the new journal with what the old one holds now, off the event loop. */
  async prepare(): Promise<void> {
    const to = this.view.journalEnd;
    const body = this.readOld(this.from, to);
    try {
      this.handle = await open(this.tmp, 'wx', 0o644);
      await this.handle.writeFile(Buffer.concat([this.header, body]));
      await this.handle.datasync();
    } catch (err) {
      await this.abandon();
      throw new FileAccessError(this.view.files.journal, err);
    }
    this.copiedTo = to;
    this.bytes = this.header.length + body.length;
    this.lines = 1 + countLines(body);
  }

  /**
   * Synchronously (nothing may be appended meanwhile): copies what was appended since `prepare`, makes it
   * durable first when `durable` (it was acknowledged as synced), renames the new journal in, and views it.
   */
  install(durable: boolean): void {
    const handle = this.handle!;
    const view = this.view;
    try {
      const tail = this.readOld(this.copiedTo, view.journalEnd);
      let off = 0;
      while (off < tail.length) off += writeSync(handle.fd, tail, off, tail.length - off, this.bytes + off);
      if (durable && tail.length > 0) fdatasyncSync(handle.fd);
      renameSync(this.tmp, view.files.journal);
      this.bytes += tail.length;
      this.lines += countLines(tail);
    } catch (err) {
      void this.abandon();
      throw new FileAccessError(view.files.journal, err);
    }
    this.handle = null;
    void handle.close().catch(() => undefined);
    const dir = dirname(view.files.journal);
    // The rename must be on disk before anything appended to the new journal is acknowledged as synced.
    if (durable) fsyncDirSync(dir);
    else void fsyncDir(dir).catch(() => undefined);
    view.adoptNewFiles(view.generation, null, this.bytes, this.lines);
  }

  /** Gives up (the store failed meanwhile): the temp file goes, the old journal stays in use. */
  async abandon(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }

  /** The old journal's bytes [start, end), read through the view's descriptor (in the page cache). */
  private readOld(start: number, end: number): Buffer {
    const buf = Buffer.allocUnsafe(end - start);
    const fd = this.view.journalFd!;
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) throw new FileAccessError(this.view.files.journal, new Error('journal shorter than written'));
      got += n;
    }
    return buf;
  }
}

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

let counter = 0;

function tempName(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${(counter++).toString(36)}.tmp`,
  );
}

/** core's writeFileAtomicSync, asynchronously. */
async function writeFileAtomic(path: string, data: Buffer): Promise<void> {
  const tmp = tempName(path);
  try {
    const file = await open(tmp, 'wx', 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new FileAccessError(path, err);
  }
  try {
    await fsyncDir(dirname(path));
  } catch (err) {
    throw new FileAccessError(dirname(path), err);
  }
}

/** See compactionDue: a compaction starts once the journal is this many times what the last one carried. */
const CARRY_FACTOR = 3;

/**
 * Whether a live store folds its journal of `journalBytes` into a new snapshot: once it is past the cap (the
 * snapshot's size times `compactRatio`, at most `journalMaxBytes`, at least `compactMinBytes`), and past
 * CARRY_FACTOR times the `carriedBytes` it started with. Those are the lines appended while the last compaction
 * ran, copied into the new journal (read, written and fdatasynced again); under a sustained write load they
 * alone passed the cap, so compactions ran back to back and every journal byte was written twice (a server
 * under `redis-benchmark -P 16 -t mset`: 19 compactions of 3-26 MB journals in 200k MSETs). With the factor a
 * byte is copied at most once per CARRY_FACTOR written, and the journal is at most ~CARRY_FACTOR + 1 times
 * what a compaction carries (under that load: 7 compactions instead of 19, journals in the same 3-28 MB range).
 * A carry under a third of the cap (any light load) changes nothing.
 */
export function compactionDue(
  journalBytes: number,
  snapshotBytes: number,
  carriedBytes: number,
  config: Pick<ResolvedKvOptions, 'compactRatio' | 'journalMaxBytes' | 'compactMinBytes'>,
): boolean {
  const cap = Math.min(snapshotBytes * config.compactRatio, config.journalMaxBytes);
  return journalBytes > Math.max(cap, config.compactMinBytes, CARRY_FACTOR * carriedBytes);
}
