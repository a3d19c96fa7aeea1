import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readDirect } from './direct-reads.js';
import { until } from '@esc/test-fixtures';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A paused-on-connect listener whose first connection goes through readDirect; kept chunks land in `chunks`. */
async function directServer(chunks: Buffer[]) {
  let resolveSocket!: (s: Socket) => void;
  const adopted = new Promise<Socket>((resolve) => {
    resolveSocket = resolve;
  });
  let accepted: Socket | null = null;
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    accepted = socket;
    resolveSocket(readDirect(socket, (chunk) => chunks.push(chunk)));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const socket = await adopted;
  return { server, client, socket, accepted: accepted! };
}

describe('readDirect', () => {
  it('delivers every byte in order, and a kept chunk is never written over by later reads', async () => {
    const chunks: Buffer[] = [];
    const { client, socket, accepted } = await directServer(chunks);
    expect(socket).not.toBe(accepted);
    // More than a slab (64 KiB), in writes of varied sizes, each after the previous one arrived.
    const sent: Buffer[] = [];
    let total = 0;
    for (let i = 0; total < 300 * 1024; i++) {
      const part = Buffer.alloc(1 + ((i * 7919) % 20000), i % 251);
      sent.push(part);
      total += part.length;
      client.write(part);
      await until(() => chunks.reduce((n, c) => n + c.length, 0) === total);
    }
    expect(Buffer.concat(chunks).equals(Buffer.concat(sent))).toBe(true);
    // The socket it returns writes too; the client's end reaches it as for any socket.
    socket.write('pong');
    const [reply] = (await once(client, 'data')) as [Buffer];
    expect(reply.toString()).toBe('pong');
    client.end();
    await once(socket, 'end');
    socket.end();
    await once(socket, 'close');
  });

  it('pauses and resumes reading', async () => {
    const chunks: Buffer[] = [];
    const { client, socket } = await directServer(chunks);
    socket.pause();
    client.write('held');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chunks).toEqual([]);
    socket.resume();
    await until(() => chunks.length > 0);
    expect(Buffer.concat(chunks).toString()).toBe('held');
    client.destroy();
    await once(socket, 'close');
  });

  it('lets server.close() finish once the adopted sockets are closed', async () => {
    const { server, client, socket } = await directServer([]);
    const closed = new Promise((resolve) => server.close(resolve));
    servers.splice(servers.indexOf(server), 1);
    client.destroy();
    await once(socket, 'close');
    await closed;
  });

  it('falls back to the data event for a socket without a handle', async () => {
    const chunks: Buffer[] = [];
    const socket = new Socket();
    expect(readDirect(socket, (chunk) => chunks.push(chunk))).toBe(socket);
    socket.push(Buffer.from('plain'));
    await until(() => chunks.length > 0);
    socket.destroy();
    expect(Buffer.concat(chunks).toString()).toBe('plain');
  });
});
