import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { CorruptionError, FileAccessError, isErrno } from '@esc/core';
import { readJournal, type JournalChunk } from './journal-reader.js';
import type { JournalRecord } from './journal-format.js';
import type { JournalLines } from './journal-lines.js';
import type { KvEntry } from './kv-entry.js';
import { SnapshotFile } from './snapshot-file.js';
import type { StoreFiles } from './store-files.js';

/**
 * One process's view of the store on disk: the entries (snapshot + journal applied), and what it knows of the
 * files, so that it can catch up by reading only what other processes appended since.
 *
 * Consistency without a lock (readers): the journal is read through a descriptor that stays open, so the view
 * always extends the journal it started from. A compaction replaces the journal by rename; the old inode then
 * holds exactly the changes of the old snapshot and never grows again, so a view built from it is a state the
 * store really had. When the journal's inode changes, the view reloads from scratch, retrying if the snapshot
 * generation moved under it. The open descriptor also keeps the inode number from being reused.
 */
export class StoreView {
  /** The snapshot this view extends (null: none yet). */
  private snapshot: SnapshotFile | null = null;
  /** Every entry, once something needed them all (listing, stats, compaction); until then, `overlay`. */
  private materialized: Map<string, KvEntry> | null = null;
  /** Journal changes on top of the snapshot, by key (null = deleted), while not materialized. */
  private overlay = new Map<string, KvEntry | null>();
  /** Journal lines read but not yet checked or parsed, newer than `overlay`, oldest first. */
  private pending: JournalLines[] = [];
  /** Journal lines counted so far; the lazily read chunks in `uncounted` come on top (counted when asked). */
  private countedLines = 0;
  private uncounted: JournalLines[] = [];
  /** A journal `clear` hid every snapshot entry. */
  private snapshotCleared = false;
  private lazyLookups = 0;
  generation = 0;
  snapshotBytes = 0;
  snapshotCreatedAt: string | null = null;
  snapshotIno: number | null = null;
  /** Descriptor of the journal this view extends (read-only), or null when there was none. */
  journalFd: number | null = null;
  journalIno: number | null = null;
  /** Where the good lines end: the next read starts here. */
  journalEnd = 0;
  /** The generation in the journal's header: the snapshot's, or the one before when the snapshot continues it. */
  journalGeneration = 0;
  /** The journal belongs to an older snapshot (a compaction crashed after its rename): its lines are in the snapshot. */
  journalStale = false;
  tornTail: { offset: number; bytes: number } | null = null;

  constructor(
    readonly files: StoreFiles,
    private readonly warn: (message: string) => void,
  ) {}

  /** Loads everything, retrying while a concurrent compaction moves the generation under us. */
  loadFull(): void {
    for (let attempt = 0; ; attempt++) {
      if (this.tryLoadFull()) return;
      if (attempt >= 20) {
        throw new CorruptionError(
          `journal generation is newer than the snapshot's (${this.generation}): the snapshot was replaced or removed; refusing to touch the store`,
          { path: this.files.journal, line: 1 },
        );
      }
      sleepMs(1 + attempt);
    }
  }

  private tryLoadFull(): boolean {
    this.closeJournal();
    this.snapshot?.close();
    this.snapshot = null;
    const snapshot = SnapshotFile.open(this.files.snapshot);
    this.snapshot = snapshot;
    this.materialized = null;
    this.overlay = new Map();
    this.pending = [];
    this.snapshotCleared = false;
    this.lazyLookups = 0;
    this.generation = snapshot?.header.generation ?? 0;
    this.snapshotBytes = snapshot?.bytes ?? 0;
    this.snapshotCreatedAt = snapshot?.header.createdAt ?? null;
    this.snapshotIno = snapshot?.ino ?? null;
    this.journalEnd = 0;
    this.countedLines = 0;
    this.uncounted = [];
    this.journalStale = false;
    this.tornTail = null;
    let fd: number;
    try {
      fd = openSync(this.files.journal, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return true;
      throw new FileAccessError(this.files.journal, err);
    }
    this.journalFd = fd;
    this.journalIno = fstatSync(fd).ino;
    const chunk = readJournal(fd, this.files.journal, 0, () => 0, 'lazy');
    const gen = chunk.header?.generation;
    if (gen === undefined) {
      throw new CorruptionError('journal has no header line', { path: this.files.journal, line: 1 });
    }
    if (gen > this.generation) return false;
    this.journalGeneration = gen;
    this.journalEnd = chunk.goodEnd;
    this.countLines(chunk);
    this.tornTail = chunk.tornTail;
    if (gen === this.generation) {
      this.keepLines(chunk.lines);
      return true;
    }
    // An older journal: the snapshot holds all of it, unless a compaction that kept appending while it wrote
    // the snapshot says up to where (the journal is then continued from there until the next one replaces it).
    // (A journal that ends before that point lost unsynced lines to a power cut; the snapshot holds them.)
    const from = snapshot?.header.journalFrom;
    if (from?.generation !== gen || from.offset > chunk.goodEnd) {
      this.journalStale = true;
      return true;
    }
    if (from.offset === chunk.goodEnd) return true; // nothing after it yet; what is appended next applies
    const lines = chunk.lines;
    const linesStart = chunk.goodEnd - (lines?.byteLength ?? 0);
    const after = lines?.after(from.offset - linesStart) ?? null;
    if (after === null) {
      throw new CorruptionError(
        `the snapshot continues journal generation ${gen} from byte ${from.offset}, which is not the start of a line of it; refusing to touch the store`,
        { path: this.files.journal },
      );
    }
    this.keepLines(after);
    return true;
  }

  /**
   * Brings the view up to date without a lock: reads what was appended since, or reloads if the journal
   * was replaced. A fragment at the end is left for the next look (it may be a write in progress).
   */
  refresh(): void {
    const ino = inoOrNull(this.files.journal);
    if (ino === null ? this.journalIno !== null : ino !== this.journalIno) {
      this.loadFull();
      return;
    }
    this.readAppended();
  }

  /**
   * Catches up while holding the store lock, where nobody else writes: also notices a snapshot replaced
   * without its journal (a compaction that crashed half way), which a lock-free reader may ignore.
   */
  refreshLocked(): void {
    const journalIno = inoOrNull(this.files.journal);
    const snapshotIno = inoOrNull(this.files.snapshot);
    if (
      (journalIno === null ? this.journalIno !== null : journalIno !== this.journalIno) ||
      snapshotIno !== this.snapshotIno
    ) {
      this.loadFull();
      return;
    }
    this.readAppended();
  }

  private readAppended(): void {
    if (this.journalFd === null || this.journalStale) return;
    const chunk = readJournal(
      this.journalFd,
      this.files.journal,
      this.journalEnd,
      () => this.journalLineCount(),
      this.materialized ? 'decode' : 'lazy',
    );
    for (const r of chunk.records) this.apply(r);
    this.keepLines(chunk.lines);
    this.journalEnd = chunk.goodEnd;
    this.countLines(chunk);
    this.tornTail = chunk.tornTail;
  }

  /** The entry of one key (expired or not), without parsing the whole snapshot. */
  lookup(key: string): KvEntry | undefined {
    if (this.materialized) return this.materialized.get(key);
    // Byte searches cost O(files) each: right for a CLI process that asks once or twice, wrong for a
    // long-lived store. After a few, parse everything once and answer from memory from then on.
    if (++this.lazyLookups > LOOKUPS_BEFORE_MATERIALIZING) return this.entries().get(key);
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const r = this.pending[i]!.lastFor(key);
      if (r) return r.op === 'set' ? { value: r.v, expiresAt: r.x } : undefined;
    }
    const o = this.overlay.get(key);
    if (o !== undefined) return o ?? undefined;
    if (this.snapshotCleared || !this.snapshot) return undefined;
    return this.snapshot.lookup(key);
  }

  /** Every entry (expired ones included): parses the snapshot once, then stays materialized. */
  entries(): Map<string, KvEntry> {
    if (!this.materialized) {
      this.parsePending();
      const map = this.snapshotCleared || !this.snapshot ? new Map<string, KvEntry>() : this.snapshot.entries();
      for (const [k, e] of this.overlay) {
        if (e === null) map.delete(k);
        else map.set(k, e);
      }
      this.materialized = map;
      this.overlay = new Map();
    }
    return this.materialized;
  }

  /** Applies one change (from the journal, or made by this process). */
  apply(r: JournalRecord): void {
    this.parsePending();
    this.applyParsed(r);
  }

  private keepLines(lines: JournalLines | null): void {
    if (lines && !lines.isEmpty) this.pending.push(lines);
  }

  private countLines(chunk: JournalChunk): void {
    this.countedLines += chunk.lineCount;
    if (chunk.lines && !chunk.lines.isEmpty) this.uncounted.push(chunk.lines);
  }

  /** Lines in the journal this view extends, header included (counts lazily read lines when first asked). */
  journalLineCount(): number {
    for (const lines of this.uncounted) this.countedLines += lines.lineCount();
    this.uncounted = [];
    return this.countedLines;
  }

  /** Parses the lines kept unparsed into the overlay, in order (a writer or a full listing needs them all). */
  private parsePending(): void {
    // Called for every change a server applies: no new array when there is nothing to parse.
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    for (const lines of pending) for (const r of lines.decodeAll()) this.applyParsed(r);
  }

  /** `apply` of a set, without a record (a server's change). */
  applySet(key: string, value: string, expiresAt: number | null): void {
    this.parsePending();
    this.setParsed(key, value, expiresAt);
  }

  /** `apply` of a delete, without a record. */
  applyDel(key: string): void {
    this.parsePending();
    this.delParsed(key);
  }

  private applyParsed(r: JournalRecord): void {
    if (r.op === 'batch') {
      for (const op of r.ops) this.applyParsed(op);
      return;
    }
    if (r.op === 'set') this.setParsed(r.k, r.v, r.x);
    else if (r.op === 'del') this.delParsed(r.k);
    else if (this.materialized) this.materialized.clear();
    else {
      this.overlay.clear();
      this.snapshotCleared = true;
    }
  }

  private setParsed(key: string, value: string, expiresAt: number | null): void {
    const entry: KvEntry = { value, expiresAt };
    if (this.materialized) this.materialized.set(key, entry);
    else this.overlay.set(key, entry);
  }

  private delParsed(key: string): void {
    if (this.materialized) this.materialized.delete(key);
    else this.overlay.set(key, null);
  }

  /** Records that this process appended `bytes` (whole lines) to the journal it views. */
  noteAppended(bytes: number, lines: number): void {
    this.journalEnd += bytes;
    this.countedLines += lines;
  }

  /**
   * After this process started a new journal (and maybe snapshot): view it from its header on. `journalBytes`
   * and `journalLines` are the new journal's size and lines (its header, and any lines it was started with).
   */
  adoptNewFiles(generation: number, snapshotBytes: number | null, journalBytes: number, journalLines = 1): void {
    if (snapshotBytes !== null) this.adoptSnapshot(generation, snapshotBytes);
    this.closeJournal();
    this.generation = generation;
    this.snapshotIno = inoOrNull(this.files.snapshot);
    this.journalFd = openSync(this.files.journal, 'r');
    this.journalIno = fstatSync(this.journalFd).ino;
    this.journalGeneration = generation;
    this.journalEnd = journalBytes;
    this.countedLines = journalLines;
    this.uncounted = [];
    this.journalStale = false;
    this.tornTail = null;
  }

  /** After this process put a new snapshot in place that continues the journal it keeps appending to. */
  adoptSnapshot(generation: number, snapshotBytes: number): void {
    // The view now stands for the new snapshot, whose bytes it does not hold: keep every entry in memory.
    this.entries();
    this.snapshot?.close();
    this.snapshot = null;
    this.generation = generation;
    this.snapshotBytes = snapshotBytes;
    this.snapshotCreatedAt = new Date().toISOString();
    this.snapshotIno = inoOrNull(this.files.snapshot);
  }

  /** Lets go of both files (the store is closed). */
  close(): void {
    this.closeJournal();
    this.snapshot?.close();
    this.snapshot = null;
  }

  closeJournal(): void {
    if (this.journalFd !== null) closeSync(this.journalFd);
    this.journalFd = null;
    this.journalIno = null;
  }

  /** Warns about a torn tail once it is known not to be a write in progress. */
  warnTorn(): void {
    if (this.tornTail) {
      this.warn(
        `${this.files.journal}:${this.journalLineCount() + 1}: ignoring a torn last journal line (${this.tornTail.bytes} bytes): a write cut short by a crash, never acknowledged`,
      );
    }
  }
}

const LOOKUPS_BEFORE_MATERIALIZING = 8;

function inoOrNull(path: string): number | null {
  try {
    // No exception for a missing file: a server with no string key yet checks once per event-loop turn.
    return statSync(path, { throwIfNoEntry: false })?.ino ?? null;
  } catch (err) {
    throw new FileAccessError(path, err);
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
