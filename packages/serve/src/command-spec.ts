import type { AckedReply } from './acked-reply.js';
import type { ParsedCommand } from './parsed-command.js';
import type { Reply } from './reply.js';

/**
 * One command as the dispatcher, COMMAND/COMMAND INFO/COMMAND DOCS and the arity check see it. The fields are
 * Redis's own (see `COMMAND INFO get` on a redis-server): arity counts the command name, negative means
 * "at least"; key positions are 1-based over the argument vector (0 when the command takes no key).
 */
export interface CommandSpec {
  /** Lowercase, as Redis lists it: 'get', 'xreadgroup'. Subcommand containers ('client', 'xgroup') dispatch on args[1] themselves. */
  readonly name: string;
  readonly arity: number;
  /** Redis's flags: 'write', 'readonly', 'denyoom', 'fast', 'pubsub', 'noscript', 'loading', 'stale', 'blocking', 'no_auth'… */
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly handler: CommandHandler;
  /**
   * The same command reading its arguments where the parser found them, without a Buffer per argument (MSET's
   * twenty); the dispatcher calls it instead of `handler` when given. It must answer as `handler` does.
   */
  readonly inPlace?: InPlaceHandler;
  /**
   * A container's subcommands by lowercase name (CLIENT SETNAME, XGROUP CREATE): the dispatcher checks the
   * subcommand and its arity before authentication, as Redis does, and names it `client|setname` in errors.
   * Build with containerSpec().
   */
  readonly subcommands?: Readonly<Record<string, Subcommand>>;
}

export interface Subcommand {
  /** Redis's arity of `container|sub`, counting the container's name: CLIENT SETNAME name is 3. */
  readonly arity: number;
  readonly handler: CommandHandler;
}

/**
 * args[0] is the command name as the client sent it; Buffers because keys and values are binary-safe. A handler
 * returns its reply, or a promise of it (a blocking XREAD), or an AckedReply (a write waiting for its store's
 * acknowledgement); the connection keeps replies in request order whichever resolves first.
 */
export type CommandHandler = (args: readonly Buffer[], ctx: CommandContext) => Reply | Promise<Reply> | AckedReply;

/** A CommandHandler over the parser's ParsedCommand, valid only during the call (take `arg(i)` to keep one). */
export type InPlaceHandler = (command: ParsedCommand, ctx: CommandContext) => Reply | Promise<Reply> | AckedReply;

/** What a handler may see of the connection and of the server; the server module defines the concrete types. */
export interface CommandContext {
  readonly connection: ConnectionContext;
  readonly server: ServerContext;
}

export interface ConnectionContext {
  readonly id: number;
  /** 2 until `HELLO 3`. */
  readonly protocol: 2 | 3;
  name: string | null;
  /** Sends an out-of-band message (Pub/Sub delivery) to this client, after any replies already queued. */
  push(reply: Reply): void;
  /** Resolves when the client disconnects; blocking commands race their wait against it. */
  readonly closed: Promise<void>;
}

/** Shared by every connection and front-end: the stores are opened once per process. */
export interface ServerContext {
  /** Milliseconds since the epoch; injected in tests. */
  now(): number;
}

/**
 * A family of commands (connection, kv strings, streams, pub/sub) as the server assembles them: its specs, what it
 * adds to INFO's sections, and how it closes (syncing its store) on shutdown.
 */
export interface CommandFamily {
  readonly commands: readonly CommandSpec[];
  /** Fields this family adds to an INFO section ('keyspace', 'persistence', 'stats', …), in order. */
  info?(section: string): readonly (readonly [string, string | number])[];
  close?(): Promise<void>;
  /** This family's keys as the other families see them (FamilyEnv.keyspaces()). */
  readonly keyspace?: KeyspaceView;
}

/**
 * One key type's view for the other families: Redis has one keyspace, so DEL/EXISTS/TYPE/KEYS/SCAN/DBSIZE/
 * FLUSHDB of the string family must see stream keys, and SET/GET on a stream (or XADD on a string) must answer
 * WRONGTYPE, as Redis does.
 */
export interface KeyspaceView {
  /** The type name TYPE answers for this family's keys: 'string', 'stream'. */
  readonly typeName: string;
  has(key: Buffer): boolean;
  keys(): Iterable<Buffer>;
  size(): number;
  delete(key: Buffer): Promise<boolean>;
  clear(): Promise<void>;
}
