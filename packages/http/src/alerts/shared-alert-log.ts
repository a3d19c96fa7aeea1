import type { AlertTransition } from './alert-engine.js';
import type { AlertRecord } from './alert-history.js';

/**
 * A history of notifications shared by several servers (`esc serve --backend`): the server that delivers a
 * notification publishes it, every server follows it into its GET /alerts and /alerts/stream.
 */
export interface SharedAlertLog {
  /** Appends the notification; resolves with its seq in the shared history. */
  publish(transition: AlertTransition): Promise<number>;
  /** The last `limit` notifications, oldest first. */
  readLast(limit: number): Promise<AlertRecord[]>;
  /** Calls `listener` for every notification published from now on, by any server. */
  follow(listener: (record: AlertRecord) => void): Promise<void>;
  close(): Promise<void>;
}
