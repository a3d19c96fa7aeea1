import type { CommandContext, ConnectionContext } from './command-spec.js';

/**
 * A RESP client as the server's own parts see it (the dispatcher, Pub/Sub, CLIENT, shutdown); Connection is the
 * one implementation. Families outside the core see only ConnectionContext.
 */
export interface Client extends ConnectionContext {
  protocol: 2 | 3;
  authenticated: boolean;
  /** The last command run, as CLIENT LIST shows it (`client|list`). */
  lastCommand: string;
  readonly context: CommandContext;
  readonly createdAt: number;
  readonly lastInteraction: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** Pub/Sub subscriptions by channel/pattern (latin1 strings: binary-safe). */
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
  /** In Pub/Sub mode when above 0 (RESP2 restricts the commands; the output buffer has its own limit). */
  readonly subscriptionCount: number;
  /** Answers what is queued, then closes (QUIT, a protocol error). */
  closeAfterReply(): void;
  /** Closes now, dropping what is queued. */
  destroy(): void;
  /** Shutdown: reads no more, answers what was read (up to graceMs), closes. */
  drainAndClose(graceMs: number): Promise<void>;
}
