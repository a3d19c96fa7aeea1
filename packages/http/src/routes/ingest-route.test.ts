import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../log-event.js';
import { useTestApps } from '../test-helpers/test-app.js';

const makeApp = useTestApps();
const NOW = Date.parse('2026-12-02T12:00:00Z');

describe('POST /ingest', () => {
  it('accepts one JSON event with LogStream reply and stores it (unknown fields in metadata)', async () => {
    const seen: LogEvent[] = [];
    const { app } = await makeApp({ onEvent: (e) => seen.push(e), clock: () => NOW });
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: { level: 'error', message: 'db down', service: 'api', region: 'eu', metadata: { a: 1 } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ status: 'accepted', id: expect.any(String) });
    expect(seen).toEqual([
      {
        id: body.id,
        offset: 0,
        level: 'ERROR',
        service: 'api',
        message: 'db down',
        timestamp: NOW,
        receivedAt: NOW,
        metadata: { region: 'eu', a: 1 },
      },
    ]);
    const logs = await app.inject({ method: 'GET', url: '/logs?level=ERROR' });
    expect(logs.json()).toMatchObject({
      count: 1,
      logs: [{ id: body.id, level: 'ERROR', message: 'db down', metadata: { region: 'eu', a: 1 } }],
    });
  });

  it('keeps a client id and an ISO timestamp; WARNING is stored as WARN', async () => {
    const { app } = await makeApp({ clock: () => NOW });
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: {
        id: 'evt-1',
        level: 'WARNING',
        message: 'slow',
        service: 'db',
        timestamp: '2026-12-02T11:59:00+01:00',
      },
    });
    expect(res.json()).toEqual({ status: 'accepted', id: 'evt-1' });
    const logs = (await app.inject({ url: '/logs?level=warn' })).json();
    expect(logs.logs).toEqual([
      {
        id: 'evt-1',
        timestamp: '2026-12-02T10:59:00.000Z',
        level: 'WARN',
        service: 'db',
        message: 'slow',
        metadata: {},
        offset: 0,
        received_at: '2026-12-02T12:00:00.000Z',
      },
    ]);
  });

  it('accepts a JSON array and NDJSON with one acknowledgement, in order', async () => {
    const seen: LogEvent[] = [];
    const { app } = await makeApp({ onEvent: (e) => seen.push(e) });
    const array = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [
        { level: 'INFO', message: 'a', service: 's' },
        { level: 'INFO', message: 'b', service: 's' },
      ],
    });
    expect(array.json()).toEqual({ status: 'accepted', count: 2, ids: [seen[0]!.id, seen[1]!.id] });
    const ndjson = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: '{"level":"INFO","message":"c","service":"s"}\r\n\n{"level":"DEBUG","message":"d","service":"t"}',
    });
    expect(ndjson.json()).toMatchObject({ status: 'accepted', count: 2 });
    expect(seen.map((e) => [e.offset, e.message, e.level])).toEqual([
      [0, 'a', 'INFO'],
      [1, 'b', 'INFO'],
      [2, 'c', 'INFO'],
      [3, 'd', 'DEBUG'],
    ]);
  });

  it('refuses a batch with a bad NDJSON line whole, naming every bad line', async () => {
    const seen: LogEvent[] = [];
    const { app } = await makeApp({ onEvent: (e) => seen.push(e) });
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: [
        '{"level":"INFO","message":"ok","service":"s"}',
        '{"level":"INFO","message":',
        '{"level":"INFO","message":"no service"}',
        '{"level":"INFO","message":"ok","service":"s"}',
      ].join('\n'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: '2 bad line(s) in the batch (first at line 2); nothing was stored',
      problems: [
        { line: 2, error: expect.stringMatching(/^invalid JSON: /) },
        { line: 3, field: 'service', error: 'service is required and must be a string' },
      ],
    });
    expect(seen).toEqual([]);
    expect((await app.inject({ url: '/stats' })).json().logs_in_storage).toBe(0);
  });

  it('refuses a JSON array with a bad item whole, naming the item', async () => {
    const { app } = await makeApp();
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [
        { level: 'INFO', message: 'a', service: 's' },
        { level: 'INFO', message: 'b', service: 's', metadata: 3 },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems).toEqual([{ item: 2, field: 'metadata', error: 'metadata must be a JSON object' }]);
  });

  it.each([
    ['{"level":"INFO","message":"x"', undefined, /^invalid JSON: /],
    ['"just a string"', undefined, /^an event must be a JSON object$/],
    ['{"message":"x","service":"s"}', 'level', /^level is required/],
    ['{"level":"INFO","service":"s"}', 'message', /^message is required/],
    ['{"level":"INFO","message":"x","service":""}', 'service', /^service must not be empty$/],
    ['{"level":"INFO","message":"x","service":"s","timestamp":"yesterday"}', 'timestamp', /^timestamp must be/],
    ['{"level":"INFO","message":"x","service":"s","id":{}}', 'id', /^id must be a string$/],
  ])('400 for %s, naming the field', async (payload, field, error) => {
    const { app } = await makeApp();
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect(res.json().error).toMatch(error);
  });

  it('400 for an empty batch', async () => {
    const { app } = await makeApp();
    const res = await app.inject({ method: 'POST', url: '/ingest', payload: [] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'the body holds no event' });
  });

  it('405 with Allow on other methods', async () => {
    const { app } = await makeApp();
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/ingest' });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
    }
  });

  it('413 past the body limit, and nothing stored', async () => {
    const { app } = await makeApp({ bodyLimit: 1024 });
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: { level: 'INFO', message: 'x'.repeat(2000), service: 's' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/too large/);
    expect((await app.inject({ url: '/stats' })).json().logs_in_storage).toBe(0);
  });

  it("413 for an event over the topic's maxMessageBytes, and nothing of its batch stored", async () => {
    const { app, store } = await makeApp();
    await store.alterTopic('logs', { maxMessageBytes: 2000 });
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      payload: [
        { level: 'INFO', message: 'small', service: 's' },
        { level: 'INFO', message: 'x'.repeat(3000), service: 's' },
      ],
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/^an event is too large for the topic: /);
    expect((await app.inject({ url: '/stats' })).json().logs_in_storage).toBe(0);
  });

  it('an event too large refuses only its own request when requests were appended together', async () => {
    const { app, store } = await makeApp();
    await store.alterTopic('logs', { maxMessageBytes: 2000 });
    const post = (message: string) =>
      app.inject({ method: 'POST', url: '/ingest', payload: { level: 'INFO', message, service: 's' } });
    // The first is appended at once; the next two wait for it and go together.
    const [first, small, large] = await Promise.all([post('first'), post('small'), post('x'.repeat(3000))]);
    expect([first.statusCode, small.statusCode, large.statusCode]).toEqual([200, 200, 413]);
    const stored = (await app.inject({ url: '/logs/recent' })).json().logs.map((l: { message: string }) => l.message);
    expect(stored).toEqual(['small', 'first']);
  });

  it('503 with Retry-After over the back-pressure limit; counted as dropped', async () => {
    const { app } = await makeApp({ maxPendingEvents: 3, sync: 'always' });
    const batch = Array.from({ length: 3 }, (_, i) => ({ level: 'INFO', message: `m${i}`, service: 's' }));
    // The first batch fills the limit while its append is in flight; the second arrives meanwhile.
    const [first, second] = await Promise.all([
      app.inject({ method: 'POST', url: '/ingest', payload: batch }),
      app.inject({ method: 'POST', url: '/ingest', payload: batch }),
    ]);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.json().error).toMatch(/back-pressure/);
    const stats = (await app.inject({ url: '/stats' })).json();
    expect(stats).toMatchObject({ total_processed: 3, total_dropped: 3, logs_in_storage: 3 });
  });

  it('parses text/plain lines with @esc/parser (?format=hdfs), and refuses lines that do not match', async () => {
    const { app } = await makeApp();
    const lines = [
      '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating',
      '081109 203807 222 WARN dfs.DataNode$DataXceiver: 10.251.30.6:50010:Got exception while serving blk_-6952295868487656571',
    ];
    const res = await app.inject({
      method: 'POST',
      url: '/ingest?format=hdfs',
      headers: { 'content-type': 'text/plain' },
      payload: `${lines.join('\n')}\n`,
    });
    expect(res.json()).toMatchObject({ status: 'accepted', count: 2 });
    const logs = (await app.inject({ url: '/logs?level=WARN' })).json().logs;
    expect(logs).toMatchObject([
      {
        level: 'WARN',
        service: 'dfs.DataNode$DataXceiver',
        message: '10.251.30.6:50010:Got exception while serving blk_-6952295868487656571',
        timestamp: '2008-11-09T20:38:07.000Z',
        metadata: { date: '081109', time: '203807', pid: '222' },
      },
    ]);
    const bad = await app.inject({
      method: 'POST',
      url: '/ingest?format=hdfs',
      headers: { 'content-type': 'text/plain' },
      payload: `${lines[0]}\nnot an hdfs line\n`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems).toEqual([{ line: 2, error: 'line does not match the hdfs format' }]);
    const unknown = await app.inject({
      method: 'POST',
      url: '/ingest?format=nope',
      headers: { 'content-type': 'text/plain' },
      payload: 'x\n',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().field).toBe('format');
  });

  it('takes text lines no format recognises whole as INFO messages (?format=auto, ?service=)', async () => {
    const { app } = await makeApp();
    const res = await app.inject({
      method: 'POST',
      url: '/ingest?service=cron',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      payload: 'backup started\nbackup finished\n',
    });
    expect(res.json()).toMatchObject({ count: 2 });
    const logs = (await app.inject({ url: '/logs/recent' })).json().logs;
    expect(
      logs.map((l: { message: string; service: string; level: string }) => [l.message, l.service, l.level]),
    ).toEqual([
      ['backup finished', 'cron', 'INFO'],
      ['backup started', 'cron', 'INFO'],
    ]);
  });
});
