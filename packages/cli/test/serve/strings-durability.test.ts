// Durability of the string family: esc serve --sync always is SIGKILLed 30 times while clients SET; every SET
// that was acknowledged is there after the restart.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@esc/test-fixtures';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startEscServe } from './serve-harness.js';

const temp = makeTempDir('esc-serve-durable');
let server: RunningServer | null = null;
afterAll(async () => {
  await server?.stop('SIGKILL');
  temp.remove();
});

async function missing(port: number, acked: Map<string, string>): Promise<string[]> {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    const keys = [...acked.keys()];
    const out: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const values = await c.mget(...chunk);
      chunk.forEach((k, j) => {
        if (values[j] !== acked.get(k)) out.push(`${k}=${values[j]}`);
      });
    }
    return out;
  } finally {
    c.disconnect();
  }
}

describe('esc serve --sync always under SIGKILL', () => {
  it('keeps every acknowledged SET through 30 kills', async () => {
    const acked = new Map<string, string>();
    for (let round = 0; round < 30; round++) {
      server = await startEscServe(['--sync', 'always'], { dir: temp.path });
      expect(await missing(server.port, acked)).toEqual([]);
      const port = server.port;
      let stop = false;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => undefined);
        try {
          for (let i = 0; !stop; i++) {
            const key = `r${round}:w${w}:${i}`; // one key per SET: an unacknowledged later SET may land too
            const value = `${round}.${i}`;
            await c.set(key, value);
            acked.set(key, value);
          }
        } catch {
          // the server died under this SET: it was never acknowledged
        } finally {
          c.disconnect();
        }
      });
      await new Promise((r) => setTimeout(r, 40 + Math.floor(Math.random() * 200)));
      await server.stop('SIGKILL');
      stop = true;
      await Promise.all(writers);
      // A killed holder leaves its lock directory; the next writer would take it over once stale (10 s).
      rmSync(join(temp.path, 'kv.json.lock'), { recursive: true, force: true });
    }
    server = await startEscServe(['--sync', 'always'], { dir: temp.path });
    expect(acked.size).toBeGreaterThan(100);
    expect(await missing(server.port, acked)).toEqual([]);
  }, 240_000);
});
