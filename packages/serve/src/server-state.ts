import type { KeyspaceView, ServerContext } from './command-spec.js';
import type { Client } from './client.js';
import type { Logger } from './logger.js';
import { PubSubRegistry } from './pubsub/pubsub-registry.js';
import { error, type Reply } from './reply.js';
import type { RespLimits } from './resp-parser.js';

export interface OutputBufferLimit {
  readonly hardBytes: number;
  readonly softBytes: number;
  readonly softSeconds: number;
}

export interface ServerStats {
  connectionsReceived: number;
  rejectedConnections: number;
  outputLimitDisconnections: number;
}

export interface ServerStateOptions {
  password: string | null;
  limits: RespLimits;
  maxClients: number;
  pubsubOutputLimit: OutputBufferLimit;
  logger: Logger;
  now?: () => number;
  /** Fields for INFO server (tcp_port, config_file…). */
  serverInfo?: () => readonly (readonly [string, string | number])[];
}

/**
 * What the RESP front-end's connections share: the clients, the password, the limits, Pub/Sub, the counters;
 * the ServerContext handlers see, with the more the server's own commands need.
 */
export class ServerState implements ServerContext {
  readonly password: string | null;
  readonly limits: RespLimits;
  readonly maxClients: number;
  readonly pubsubOutputLimit: OutputBufferLimit;
  readonly logger: Logger;
  readonly clients = new Map<number, Client>();
  readonly pubsub = new PubSubRegistry();
  readonly stats: ServerStats = { connectionsReceived: 0, rejectedConnections: 0, outputLimitDisconnections: 0 };
  readonly startedAt: number;
  /** Every family's keyspace, set once the families are built (INFO keyspace, DBSIZE). */
  keyspaces: readonly KeyspaceView[] = [];
  readonly serverInfo: () => readonly (readonly [string, string | number])[];
  private lastClientId = 0;
  private readonly clock: () => number;

  constructor(options: ServerStateOptions) {
    this.password = options.password;
    this.limits = options.limits;
    this.maxClients = options.maxClients;
    this.pubsubOutputLimit = options.pubsubOutputLimit;
    this.logger = options.logger;
    this.clock = options.now ?? Date.now;
    this.startedAt = this.clock();
    this.serverInfo = options.serverInfo ?? (() => []);
  }

  now(): number {
    return this.clock();
  }

  nextClientId(): number {
    return ++this.lastClientId;
  }

  addConnection(conn: Client): void {
    this.clients.set(conn.id, conn);
  }

  removeConnection(conn: Client): void {
    if (!this.clients.delete(conn.id)) return;
    this.pubsub.unsubscribeAll(conn);
    this.logger.debug({ client: conn.id, addr: conn.remoteAddress }, 'client closed');
  }

  /** A handler that threw: logged, answered as Redis answers an internal error, the connection kept. */
  failure(err: unknown, name: Buffer): Reply {
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error({ command: name.toString('latin1'), err }, 'command failed');
    return error(`ERR ${message}`);
  }
}
