import type { SyncMode } from '@esc/streams';
import type { AlertClock } from './alert-clock.js';
import type { AlertLogger } from './alert-log.js';
import type { WebhookSenderOptions } from './webhook-sender.js';

/** `esc serve`'s alert settings (flags and config). */
export interface AlertsOptions {
  /** `--rules FILE` (default: LogStream's two rules). */
  rulesFile?: string;
  /** `--alert-webhook URL` (overrides the rules file's). */
  webhookUrl?: string;
  /** The topic of the durable history (default `alerts`). */
  topic?: string;
  /** Where the alert lines go (default: the fastify logger, silent unless the server gave it one). */
  log?: AlertLogger;
  clock?: AlertClock;
  historyLimit?: number;
  webhook?: WebhookSenderOptions;
  /** Durability of the alerts topic's records (the server's --sync). */
  sync?: SyncMode;
}
