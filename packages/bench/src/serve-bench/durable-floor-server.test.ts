import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Server, startServer, stopServer } from '../server-process.js';

// The floor the durable rows are read against must do the work it claims (frame every command, however the
// bytes arrive; store them; answer in order), or the bench's "out of reach" would rest on a server doing less.
const floorServer = join(import.meta.dirname, '..', '..', 'dist', 'serve-bench', 'durable-floor-server.js');

const command = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;

/** Sends the pieces one after another (each its own write, a pause between), resolves with `expected` bytes. */
function exchange(port: number, pieces: string[], expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${got.length} of ${expected} bytes answered: ${JSON.stringify(got)}`));
    }, 20_000); // a bound for a failure only: a loaded machine can take seconds to answer
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.length >= expected) {
        clearTimeout(timer);
        socket.end();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.once('connect', async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });
}

describe('durable floor server', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await stopServer(server);
    server = undefined;
  });

  for (const mode of ['appended', 'preallocated'] as const) {
    it(`frames commands cut anywhere, answers them in order and stores their bytes (${mode})`, async () => {
      server = await startServer(
        `floor ${mode}`,
        (port, dir) => [process.execPath, floorServer, String(port), dir, ...(mode === 'preallocated' ? [mode] : [])],
        /ready/,
      );
      const stream = [
        command('config', 'GET', 'save'),
        command('SET', 'k1', 'v1'),
        command('XADD', 's', '*', 'field', 'a\r\n*3\r\nb'),
        command('SET', 'key-with-a-longer-name', 'x'.repeat(300)),
      ].join('');
      // Cut inside a length line, inside a value and right after a command.
      const cuts = [3, 40, 41, 95, stream.length - 7];
      const pieces = [0, ...cuts].map((at, i) => stream.slice(at, [...cuts, stream.length][i]));
      const replies = '*2\r\n$4\r\nsave\r\n$0\r\n\r\n+OK\r\n+OK\r\n+OK\r\n';
      expect(await exchange(server.port, pieces, replies.length)).toBe(replies);
      const stored = readFileSync(join(server.dir, 'floor.aof'), 'latin1');
      expect(stored.slice(0, stream.length)).toBe(stream);
      if (mode === 'appended') expect(stored.length).toBe(stream.length);
      else expect(stored.slice(stream.length)).toMatch(/^\0+$/);
    });
  }
});
