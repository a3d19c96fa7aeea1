import { syncPartition } from '@esc/streams';

/** The longest an appended event waits for its fdatasync under `--sync batch`. */
const SYNC_INTERVAL_MS = 1000;

/**
 * `--sync batch` for the events topic: appends reach the file before the reply (they survive a killed server)
 * and the partition is fdatasynced in the background once a second while it is written, as Redis's
 * appendfsync everysec and the streams of esc serve's RESP side. The store's own 'batch' starts an fdatasync
 * per group commit: under 50 single-event clients that is hundreds a second, which cost more CPU than the
 * events themselves and halved the ingest rate (docs/http.md, Durability).
 */
export class BackgroundSync {
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly partitionDir: string) {}

  /** Something was appended: its fdatasync comes within SYNC_INTERVAL_MS. */
  written(): void {
    if (this.timer === null) this.timer = setTimeout(() => void this.sync(), SYNC_INTERVAL_MS).unref();
  }

  /** Syncs what is pending now, and waits for it (at shutdown). */
  async close(): Promise<void> {
    if (this.timer !== null) await this.sync();
    await this.syncing;
  }

  private sync(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // One after another: a sync that starts while the previous runs covers what was written meanwhile.
    this.syncing = this.syncing.then(() =>
      syncPartition(this.partitionDir).catch(() => {
        /* a deleted topic, or a failing disk: the next write or the close tries again */
      }),
    );
    return this.syncing;
  }
}
