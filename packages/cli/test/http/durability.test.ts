import { makeTempDir } from '@esc/test-fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { allEvents, type HttpServe, startHttpServe } from './http-harness.js';

const ROUNDS = 30;
const CLIENTS = 4;
const ALL = 'since=1970-01-01T00:00:00Z';

const dir = makeTempDir('esc-http-kill');
let running: HttpServe | null = null;
afterAll(async () => {
  await running?.server.stop('SIGKILL');
  dir.remove();
});

/** One client: posts single events and NDJSON batches of 5 until the server goes away; records what was acked. */
async function client(url: string, name: string, acked: Set<string>, stop: { now: boolean }): Promise<void> {
  for (let n = 0; !stop.now; n++) {
    const batch = n % 3 === 2;
    const ids = batch ? [0, 1, 2, 3, 4].map((i) => `${name}-${n}-${i}`) : [`${name}-${n}`];
    const events = ids.map((id, i) => ({ id, level: i % 2 ? 'ERROR' : 'INFO', service: name, message: `event ${id}` }));
    let res: Response;
    try {
      res = await fetch(`${url}/ingest`, {
        method: 'POST',
        headers: { 'content-type': batch ? 'application/x-ndjson' : 'application/json' },
        body: batch ? events.map((e) => JSON.stringify(e)).join('\n') : JSON.stringify(events[0]),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      return; // killed: this request was never acknowledged
    }
    if (res.status !== 200) throw new Error(`POST /ingest: ${res.status} ${await res.text()}`);
    for (const id of ids) acked.add(id);
  }
}

describe('durability', () => {
  it(`SIGKILL in ${ROUNDS} rounds while clients ingest with --sync always: every acknowledged event is found after restart`, async () => {
    const acked = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      running = await startHttpServe(dir.path, ['--sync', 'always']);
      const stored = new Set((await allEvents(running.url, ALL)).map((e) => e.id));
      const lost = [...acked].filter((id) => !stored.has(id));
      expect(lost, `round ${round}: acknowledged events missing after restart`).toEqual([]);
      const before = acked.size;
      const stop = { now: false };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(running!.url, `r${round}c${c}`, acked, stop));
      // Kill once this round has acknowledged some events, at a moment that varies.
      const target = before + 10 + Math.floor(Math.random() * 60);
      const deadline = Date.now() + 20_000;
      while (acked.size < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      running.server.child.kill('SIGKILL');
      stop.now = true;
      await running.server.stop();
      await Promise.all(clients);
      expect(acked.size, `round ${round} acknowledged nothing`).toBeGreaterThan(before);
    }
    running = await startHttpServe(dir.path, ['--sync', 'always']);
    const stored = new Set((await allEvents(running.url, ALL)).map((e) => e.id));
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);

    // The indexes rebuilt after a restart answer as the ones built while ingesting.
    const queries = [
      'level=ERROR&limit=50',
      'service=r3c1',
      'level=info&service=r7c2&since=-1h',
      `q=${encodeURIComponent('/-1[0-9]-3$/')}&${ALL}`,
    ];
    const answer = async (url: string) =>
      Promise.all(queries.map(async (q) => (await (await fetch(`${url}/logs?${q}`)).json()) as unknown));
    const beforeRestart = await answer(running.url);
    await running.server.stop('SIGKILL');
    running = await startHttpServe(dir.path, ['--sync', 'always']);
    expect(await answer(running.url)).toEqual(beforeRestart);
    await running.server.stop();
    running = null;
  }, 600_000);
});
