// Alerts through the built `esc serve`: --rules (and its errors), --alert-webhook, the stderr line, the history
// across a restart, and a reload of the rules file while serving.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, until } from '@esc/test-fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { runEsc } from '../run-esc.js';
import { freePort } from '@esc/test-fixtures';
import { type HttpServe, startHttpServe } from './http-harness.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = makeTempDir('esc-alerts');
  cleanups.push(() => dir.remove());
  return dir.path;
}

async function serve(args: string[], dir = join(tempDir(), 'data')): Promise<HttpServe & { base: string }> {
  const serve = await startHttpServe(dir, args);
  cleanups.push(() => serve.server.stop());
  return { ...serve, base: serve.url };
}

async function ingest(base: string, events: object[]): Promise<void> {
  const res = await fetch(`${base}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  expect(res.status).toBe(200);
}

const errors = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ level: 'ERROR', service: 'api', message: `failure ${i}` }));

describe('esc serve alerts', () => {
  it('a bad rules file: one line naming the file and the field, exit status 2', async () => {
    const rules = join(tempDir(), 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'r', threshold: 3, window: '5 minutes' }] }));
    const res = runEsc(
      [
        'serve',
        '--dir',
        tempDir(),
        '--resp-port',
        '0',
        '--pls-port',
        '0',
        '--http-port',
        String(await freePort()),
        '--rules',
        rules,
      ],
      { timeout: 20_000 },
    );
    expect(res.stderr).toBe(
      `esc: ${rules}: invalid at rules.0.window: invalid duration '5 minutes' (e.g. 500ms, 30s, 1m, 2h)\n`,
    );
    expect(res.status).toBe(2);
  });

  it('fires once to the webhook, stderr and GET /alerts; the history survives a restart', async () => {
    const received: { rule: string; status: string; count: number }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const dir = tempDir();
    const rules = join(dir, 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({ rules: [{ name: 'api-errors', level: 'error', service: 'api', threshold: 3, window: '1m' }] }),
    );

    const first = await serve(['--rules', rules, '--alert-webhook', hook], join(dir, 'data'));
    await ingest(first.base, errors(5));
    await until(() => received.length === 1);
    expect(received).toMatchObject([{ rule: 'api-errors', status: 'firing', count: 3 }]);
    const line = first.server
      .stderr()
      .split('\n')
      .find((l) => l.includes('alert firing'));
    expect(JSON.parse(line!)).toMatchObject({
      level: 40,
      msg: 'alert firing: api-errors (3 of 3 ERROR in 1m)',
      alert: { seq: 1 },
    });
    expect(await first.server.stop()).toBe(0);

    const second = await serve(['--rules', rules], join(dir, 'data'));
    const body = await (await fetch(`${second.base}/alerts`)).json();
    expect(body.alerts).toMatchObject([
      { seq: 2, rule: 'api-errors', status: 'resolved', reason: 'server restarted' },
      { seq: 1, rule: 'api-errors', status: 'firing' },
    ]);
  });

  it('reloads the rules file while serving; a bad edit keeps the rules and says why on stderr', async () => {
    const dir = tempDir();
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'one', threshold: 2, window: '1m' }] }));
    const server = await serve(['--rules', rules]);
    const ruleNames = async () =>
      ((await (await fetch(`${server.base}/alerts`)).json()).rules as { rule: string }[]).map((r) => r.rule);
    expect(await ruleNames()).toEqual(['one']);
    writeFileSync(rules, '{"rules": [');
    await until(() => server.server.stderr().includes('alert rules not reloaded'));
    expect(await ruleNames()).toEqual(['one']);
    writeFileSync(rules, JSON.stringify({ rules: [{ name: 'two', threshold: 2, window: '1m' }] }));
    await until(async () => (await ruleNames())[0] === 'two');
  });
});
