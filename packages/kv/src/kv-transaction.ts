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
  /** The key changes of the operation in progress: one line at its end (see `endOperation`). */
  private open: KeyRecord[] = [];

  constructor(
    private readonly view: StoreView,
    /** The clock of the current operation (a long-lived store moves it per command). */
    public now: number,
    /** Where the lines go as bytes instead of `lines` (a long-lived store: see JournalEncoder). */
    private readonly encoder: JournalEncoder | null = null,
  ) {}

  get(key: string): KvEntry | undefined {
    const entry = this.view.lookup(key);
    return entry === undefined || isExpired(entry, this.now) ? undefined : entry;
  }

  /** Sets a key; an expiry already past deletes it instead (Redis: SET … PXAT <past>, EXPIRE <past>). */
  set(key: string, value: string, expiresAt: number | null): void {
    if (expiresAt !== null && expiresAt <= this.now) {
      this.del(key);
      return;
    }
    this.record({ op: 'set', k: key, v: value, x: expiresAt });
  }

  /** Deletes a key; true if it was live. A key that merely expired is removed too, but counts as absent. */
  del(key: string): boolean {
    const entry = this.view.lookup(key);
    if (entry === undefined) return false;
    this.record({ op: 'del', k: key });
    return !isExpired(entry, this.now);
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
    const open = this.open;
    if (open.length === 0) return;
    this.emit(open.length === 1 ? open[0]! : { op: 'batch', ops: open });
    this.open = [];
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
