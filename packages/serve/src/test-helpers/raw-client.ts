import { connect, type Socket } from 'node:net';

/** A socket to a test server that gathers what it receives; tests wait for a byte count or the close. */
export class RawClient {
  received = '';
  closed = false;
  private waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.poke();
    });
    socket.on('close', () => {
      this.closed = true;
      this.poke();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends `data` and waits until `expected` has arrived after what was received before. */
  async exchange(data: string | Buffer, expected: string | number): Promise<string> {
    const start = this.received.length;
    this.socket.write(data);
    const length = typeof expected === 'number' ? expected : expected.length;
    await this.until(() => this.received.length - start >= length || this.closed);
    return this.received.slice(start);
  }

  until(what: () => boolean, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out; received ${JSON.stringify(this.received.slice(-200))}`));
      }, timeoutMs);
      const check = () => {
        if (what()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private poke(): void {
    for (const w of this.waiters) w();
  }
}
