import { encodeLine, type JournalRecord, type KeyRecord } from './journal-format.js';
import type { JournalEncoder } from './journal-encoder.js';
import { isExpired, type KvEntry } from './kv-entry.js';
import type { StoreView } from './store-view.js';

/**
 * The view one queued operation gets while its group holds the lock: reads see live keys only (expired ones
 * are absent, as in Redis), and every change is applied at once and turned into a journal line.
 */
export class KvTransaction {
  /** The journal lines of the operations ended so far (without an encoder). */
  lines: string[] = [];
  /**
   * The key changes of the operation in progress without an encoder: one line at its end (see `endOperation`),
   * then emptied. An encoder gets them as they are made.
   */
  private readonly open: KeyRecord[] = [];
  private time: number;
  private timeRead: boolean;

  constructor(
    private readonly view: StoreView,
    /** The clock of the operations (a group of a CLI process shares one reading). */
    now: number,
    /** Where the lines go as bytes instead of `lines` (a long-lived store: see JournalEncoder). */
    private readonly encoder: JournalEncoder | null = null,
    /** A long-lived store's clock, read per operation (see `nextOperation`). */
    private readonly clock: () => number = () => now,
  ) {
    this.time = now;
    this.timeRead = true;
  }

  /** The clock of the current operation (Unix ms). */
  get now(): number {
    if (!this.timeRead) {
      this.time = this.clock();
      this.timeRead = true;
    }
    return this.time;
  }

  /**
   * Starts the next operation of a long-lived store: its clock is read when it first asks (most commands
   * touch no key with an expiry and set none, and a clock reading cost 3% of a SET).
   */
  nextOperation(): void {
    this.timeRead = false;
  }

  get(key: string): KvEntry | undefined {
    const entry = this.view.lookup(key);
    return entry === undefined || this.expired(entry) ? undefined : entry;
  }

  /** Sets a key; an expiry already past deletes it instead (Redis: SET … PXAT <past>, EXPIRE <past>). */
  set(key: string, value: string, expiresAt: number | null): void {
    if (expiresAt !== null && expiresAt <= this.now) {
      this.del(key);
      return;
    }
    if (this.encoder) {
      // A server's change: applied and encoded from the strings, no record object (MSET: ten per command).
      this.view.applySet(key, value, expiresAt);
      this.encoder.set(key, value, expiresAt);
    } else this.record({ op: 'set', k: key, v: value, x: expiresAt });
  }

  /** Deletes a key; true if it was live. A key that merely expired is removed too, but counts as absent. */
  del(key: string): boolean {
    const entry = this.view.lookup(key);
    if (entry === undefined) return false;
    if (this.encoder) {
      this.view.applyDel(key);
      this.encoder.del(key);
    } else this.record({ op: 'del', k: key });
    return !this.expired(entry);
  }

  clear(): void {
    // A clear discards what it cannot see: first read and check everything, so a damaged store is reported
    // (and kept) rather than silently hidden behind a clear; `resetKv` is the deliberate way to start over.
    this.view.entries();
    this.record({ op: 'clear' });
  }

  /**
   * Ends one operation (a command): its key changes become one journal line, a `batch` when there are several,
   * so a crash keeps all of an MSET or none of it, and ten keys cost one checksum and one line.
   */
  endOperation(): void {
    if (this.encoder) {
      this.encoder.endLine();
      return;
    }
    const open = this.open;
    if (open.length === 0) return;
    // (A CLI process's records.) encodeLine is done with the record when emit returns: the array is reused.
    this.emit(open.length === 1 ? open[0]! : { op: 'batch', ops: open });
    open.length = 0;
  }

  /** Whether the entry's expiry has passed, the clock read only for an entry that has one. */
  private expired(entry: KvEntry): boolean {
    return entry.expiresAt !== null && isExpired(entry, this.now);
  }

  private emit(r: JournalRecord): void {
    if (this.encoder) this.encoder.add(r);
    else this.lines.push(encodeLine(r));
  }

  private record(r: JournalRecord): void {
    this.view.apply(r);
    if (r.op === 'set' || r.op === 'del') this.open.push(r);
    else {
      this.endOperation();
      this.emit(r);
    }
  }
}
