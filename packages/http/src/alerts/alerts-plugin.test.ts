import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestApps } from '../test-helpers/test-app.js';
import { alertsPlugin } from './alerts-plugin.js';

const makeApp = useTestApps();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const ndjson = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n');

describe('alerts in the HTTP app', () => {
  it('events posted to /ingest fire a rule once; /alerts, /metrics and the alerts topic show it', async () => {
    const { app, store } = await makeApp({ plugins: [alertsPlugin({})] });
    const errors = Array.from({ length: 12 }, (_, i) => ({ level: 'error', service: 'api', message: `fail ${i}` }));
    const res = await app.inject({
      method: 'POST',
      url: '/ingest',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson(errors),
    });
    expect(res.statusCode).toBe(200);
    const ids = (await app.inject({ url: '/logs?level=ERROR&limit=100' }))
      .json()
      .logs.map((l: { id: string }) => l.id)
      .reverse();
    const body = (await app.inject({ url: '/alerts' })).json();
    expect(body.alerts).toEqual([
      expect.objectContaining({
        seq: 1,
        rule: 'high-error-rate',
        status: 'firing',
        count: 10,
        firstEventId: ids[0],
        lastEventId: ids[9],
      }),
    ]);
    expect(body.rules[0]).toMatchObject({ rule: 'high-error-rate', state: 'firing', count: 12 });
    expect((await app.inject({ url: '/metrics' })).body).toContain(
      'esc_alerts_total{rule="high-error-rate",status="firing"} 1',
    );
    expect((await app.inject({ method: 'POST', url: '/alerts' })).statusCode).toBe(405);
    await app.close();
    const records = await store.readAll('alerts', 0);
    expect(records.map((r) => JSON.parse(r.value!.toString()).status)).toEqual(['firing']);
  });

  it('with a password, /alerts and /alerts/stream need it like every route', async () => {
    const { app } = await makeApp({ password: 's3cret', plugins: [alertsPlugin({})] });
    expect((await app.inject({ url: '/alerts' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/alerts', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/alerts/stream' })).statusCode).toBe(401);
  });

  it('a bad rules file fails the start, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-rules-'));
    dirs.push(dir);
    const rulesFile = join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ rules: [{ name: 'x', threshold: 1 }] }));
    await expect(makeApp({ plugins: [alertsPlugin({ rulesFile })] })).rejects.toThrow(/invalid at rules\.0\.window/);
  });
});
