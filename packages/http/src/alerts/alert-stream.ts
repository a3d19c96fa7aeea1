import type { ServerResponse } from 'node:http';

/** A client's unsent bytes past this mean it does not read: it is disconnected rather than buffered for. */
const MAX_UNSENT_BYTES = 1 << 20;
const HEARTBEAT_MS = 15_000;

/**
 * The clients of GET /alerts/stream (Server-Sent Events). Each event is written once to every socket; a client
 * whose socket holds more than 1 MiB unsent is closed (it reconnects with Last-Event-ID and catches up from the
 * history), so a stalled reader costs bounded memory. A comment line every 15 s keeps proxies from timing out.
 */
export class AlertStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly onCountChange: (clients: number, dropped: boolean) => void) {
    this.heartbeat = setInterval(() => this.writeAll(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes over a response: headers now, then events until the client goes away. */
  add(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    this.onCountChange(this.clients.size, false);
    res.on('close', () => {
      if (this.clients.delete(res)) this.onCountChange(this.clients.size, false);
    });
  }

  /** One event to one client (catching up), or to all. */
  send(event: string, data: unknown, id?: number, to?: ServerResponse): void {
    const text = `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    if (to !== undefined) this.write(to, text);
    else this.writeAll(text);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(text: string): void {
    for (const res of this.clients) this.write(res, text);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_UNSENT_BYTES) {
      this.clients.delete(res);
      this.onCountChange(this.clients.size, true);
      res.destroy();
      return;
    }
    res.write(text);
  }
}
