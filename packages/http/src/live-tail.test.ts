import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LiveTail } from './live-tail.js';
import type { LogEvent } from './log-event.js';
import { useTestApps } from './test-helpers/test-app.js';

const makeApp = useTestApps();

function event(offset: number, level = 'INFO'): LogEvent {
  return {
    id: `e${offset}`,
    offset,
    level,
    service: 's',
    message: `m${offset}`,
    timestamp: 0,
    receivedAt: 0,
    metadata: {},
  };
}

/** A response whose socket is full until `drain()`: it keeps what was written. */
class StuckResponse extends EventEmitter {
  written: string[] = [];
  destroyed = false;
  full = true;
  writeHead(): void {}
  write(text: string): boolean {
    this.written.push(text);
    return !this.full;
  }
  end(): void {}
  drain(): void {
    this.full = false;
    this.emit('drain');
  }
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('LiveTail', () => {
  it('a client that does not read misses events past its queue, counted, and is told so by a gap event', async () => {
    const tail = new LiveTail(5);
    let skipped = 0;
    tail.onSkipped = (n) => {
      skipped += n;
    };
    const res = new StuckResponse();
    tail.subscribe(res as unknown as ServerResponse, () => true);
    // The greeting filled the socket: from now on events wait in the queue, at most 5 of them.
    for (let i = 0; i < 1000; i++) tail.publish(event(i));
    await nextTurn();
    expect(res.written).toEqual([': esc live tail\n\n']);
    expect(skipped).toBe(995);
    res.drain();
    const text = res.written.slice(1).join('');
    expect(text.match(/^id: \d+$/gm)).toEqual(['id: 0', 'id: 1', 'id: 2', 'id: 3', 'id: 4']);
    expect(text.endsWith('event: gap\ndata: {"skipped":995}\n\n')).toBe(true);
    tail.publish(event(1000));
    await nextTurn();
    expect(res.written.at(-1)).toMatch(/^id: 1000\n/);
  });

  it('forgets a client that went away', async () => {
    const tail = new LiveTail(5);
    const res = new StuckResponse();
    tail.subscribe(res as unknown as ServerResponse, () => true);
    expect(tail.clients).toBe(1);
    res.emit('close');
    expect(tail.clients).toBe(0);
  });
});

/** Reads Server-Sent Events from a live server until `count` data messages (or gaps) arrived. */
async function readEvents(url: string, count: number, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers });
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const messages: { id?: string; event?: string; data: unknown }[] = [];
  const ready = { resolve: () => {} };
  const opened = new Promise<void>((r) => {
    ready.resolve = r;
  });
  const done = (async () => {
    while (messages.length < count) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += decoder.decode(value, { stream: true });
      ready.resolve();
      let cut = text.indexOf('\n\n');
      while (cut !== -1) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        cut = text.indexOf('\n\n');
        if (block.startsWith(':')) continue;
        const m: { id?: string; event?: string; data: unknown } = { data: undefined };
        for (const line of block.split('\n')) {
          const [k, ...rest] = line.split(': ');
          const v = rest.join(': ');
          if (k === 'id') m.id = v;
          else if (k === 'event') m.event = v;
          else if (k === 'data') m.data = JSON.parse(v);
        }
        messages.push(m);
      }
    }
    controller.abort();
    return messages;
  })();
  return { opened, done };
}

describe('GET /logs/stream', () => {
  it('streams stored events that pass the filters, over a real socket', async () => {
    const { app } = await makeApp();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await readEvents(`${base}/logs/stream?level=error&service=api`, 2);
    await stream.opened;
    const events = [
      { level: 'INFO', message: 'skip me', service: 'api' },
      { level: 'ERROR', message: 'first', service: 'api' },
      { level: 'ERROR', message: 'other service', service: 'db' },
      { level: 'ERROR', message: 'second', service: 'api' },
    ];
    for (const e of events) await fetch(`${base}/ingest`, { method: 'POST', body: JSON.stringify(e) });
    const got = await stream.done;
    expect(got.map((m) => [m.id, (m.data as { message: string }).message])).toEqual([
      ['1', 'first'],
      ['3', 'second'],
    ]);
  });

  it('replays stored events after Last-Event-ID first, then goes on live', async () => {
    const { app } = await makeApp();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 5; i++)
      await fetch(`${base}/ingest`, {
        method: 'POST',
        body: JSON.stringify({ level: 'INFO', message: `m${i}`, service: 's' }),
      });
    const stream = await readEvents(`${base}/logs/stream`, 3, { 'last-event-id': '2' });
    await stream.opened;
    await fetch(`${base}/ingest`, {
      method: 'POST',
      body: JSON.stringify({ level: 'INFO', message: 'live', service: 's' }),
    });
    expect((await stream.done).map((m) => m.id)).toEqual(['3', '4', '5']);
  });

  it('400 for bad filters', async () => {
    const { app } = await makeApp();
    const res = await app.inject({ url: '/logs/stream?since=soon' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('since');
  });
});

describe('closing the server', () => {
  it('ends the live streams instead of waiting for their clients', async () => {
    const { app } = await makeApp();
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${base}/logs/stream`);
    const reader = res.body!.getReader();
    await reader.read();
    await app.close();
    // The client sees its stream end.
    for (let r = await reader.read(); !r.done; r = await reader.read());
  });
});
