import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../log-event.js';
import { useTestApps } from '../test-helpers/test-app.js';

const makeApp = useTestApps();

describe('POST /ingest', () => {
  it('accepts one JSON event with LogStream reply and stores it (unknown fields in metadata)', async () => {
    const seen: LogEvent[] = [];
    const { app } = await makeApp({ onEvent: (e) => seen.push(e), clock: () => 1_700_000_000_000 });
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
        timestamp: 1_700_000_000_000,
        receivedAt: 1_700_000_000_000,
        metadata: { region: 'eu', a: 1 },
      },
    ]);
    const logs = await app.inject({ method: 'GET', url: '/logs?level=ERROR' });
    expect(logs.json()).toMatchObject({ count: 1, logs: [{ id: body.id, level: 'ERROR', message: 'db down' }] });
  });
});
