import { createServer, type AddressInfo } from 'node:net';

/** A loopback port nobody listens on now (the OS's pick, released at once), for a server a test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `start` on a port freePort found, again on another one when the server could not bind it: between freePort's
 * probe and the server's bind, another test's process can take the port (CI saw a SIGKILL round fail so). The
 * failure is recognised by the port and Node's code (EADDRINUSE) or the text Node's message, esc's ListenError
 * and redis-server give ("address already in use").
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      const message = (err as Error).message;
      const inUse = message.includes('EADDRINUSE') || /address already in use/i.test(message);
      if (attempt >= attempts || !inUse || !new RegExp(`:${port}\\b`).test(message)) throw err;
    }
  }
}
