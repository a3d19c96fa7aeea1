import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Connection } from './connection.js';
import type { Dispatcher } from './dispatcher.js';
import { ListenError } from './listen-error.js';
import type { ServerState } from './server-state.js';

const MAX_CLIENTS_REACHED = Buffer.from('-ERR max number of clients reached\r\n');

/** The RESP front-end: a TCP listener whose connections share one ServerState and dispatcher. */
export class RespServer {
  private readonly server: Server;

  constructor(
    private readonly state: ServerState,
    private readonly dispatcher: Dispatcher,
  ) {
    // Paused: nothing is read before the connection takes over the socket's reads (readDirect).
    this.server = createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (socket) =>
      this.accept(socket),
    );
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const fail = (err: unknown) => reject(new ListenError('resp', host, port, err));
      this.server.once('error', fail);
      this.server.listen({ port, host }, () => {
        this.server.off('error', fail);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting, answers what each client has sent already (up to graceMs), and closes every connection. */
  async stop(graceMs = 5000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.state.clients.values()].map((c) => c.drainAndClose(graceMs)));
    await closed;
  }

  private accept(socket: Socket): void {
    this.state.stats.connectionsReceived++;
    if (this.state.clients.size >= this.state.maxClients) {
      this.state.stats.rejectedConnections++;
      socket.on('error', () => {});
      socket.resume();
      socket.end(MAX_CLIENTS_REACHED);
      return;
    }
    const conn = new Connection(socket, this.state, this.dispatcher);
    this.state.addConnection(conn);
    this.state.logger.debug({ client: conn.id, addr: conn.remoteAddress }, 'client connected');
  }
}
