// The dashboard in a real browser: Debian's Chromium driven by playwright-core (nothing downloaded), against
// the built `esc serve`. To refresh the screenshot in the docs:
//   ESC_DASHBOARD_SCREENSHOT=docs/images/dashboard.png npx vitest run packages/cli/test/http/dashboard.test.ts
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../run-esc.js';
import type { RunningServer } from '../serve/serve-harness.js';
import { startHttpServe } from './http-harness.js';

const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let server: RunningServer;
let base: string;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'esc-dashboard-'));
  const serve = await startHttpServe(join(dir, 'data'));
  server = serve.server;
  base = serve.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // CI runs as root, where Chromium refuses to start with its sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function ingest(events: object[]): Promise<void> {
  const res = await fetch(`${base}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  expect(res.status).toBe(200);
}

async function openDashboard(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(`${base}/`);
  await page.locator('#connection.live').waitFor({ timeout: 10_000 });
  expect(problems).toEqual([]);
  return page;
}

describe.skipIf(!existsSync(CHROMIUM))('dashboard (Chromium)', () => {
  it('shows an ingested ERROR in the tail and the histogram within a second, then an alert firing', async () => {
    const page = await openDashboard();
    const legendError = page.locator('#legend li[data-level="ERROR"] .count');
    expect(await legendError.textContent()).toBe('0');

    const message = `disk full on /var ${Date.now()}`;
    await ingest([{ level: 'ERROR', service: 'storage', message }]);
    const row = page.locator('#tail tbody tr', { hasText: message });
    await row.waitFor({ timeout: 1000 });
    expect(await row.getAttribute('data-level')).toBe('ERROR');
    expect(await row.locator('td.level').evaluate((td) => getComputedStyle(td).color)).toBe('rgb(255, 95, 86)');
    await page.waitForFunction(
      () => document.querySelector('#legend li[data-level="ERROR"] .count')?.textContent === '1',
      null,
      {
        timeout: 1000,
      },
    );

    // Nine more: LogStream's rule (10 ERROR in 1 min) fires, once.
    await ingest(
      Array.from({ length: 9 }, (_, i) => ({ level: 'ERROR', service: 'storage', message: `retry ${i} failed` })),
    );
    await page.locator('#rules tr[data-rule="high-error-rate"][data-state="firing"]').waitFor({ timeout: 2000 });
    await page
      .locator('#alert-history li[data-status="firing"][data-rule="high-error-rate"]')
      .waitFor({ timeout: 2000 });
    expect(await page.locator('#firing-count').textContent()).toBe('1');
    await ingest([{ level: 'ERROR', service: 'storage', message: 'still failing' }]);
    await page.waitForTimeout(300);
    expect(await page.locator('#alert-history li').count()).toBe(1);

    const shot = join(dir, 'dashboard.png');
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('is keyboard-friendly: / focuses the filter, typing filters the tail, Escape clears it, p pauses', async () => {
    const page = await openDashboard();
    await ingest([
      { level: 'INFO', service: 'web', message: 'GET /health 200' },
      { level: 'WARN', service: 'web', message: 'slow request 1200ms' },
    ]);
    await page.locator('#tail tbody tr', { hasText: 'slow request' }).waitFor({ timeout: 2000 });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter');
    await page.keyboard.type('slow');
    expect(await page.locator('#tail tbody tr').allTextContents()).toEqual([
      expect.stringContaining('slow request 1200ms'),
    ]);
    await page.keyboard.press('Escape');
    expect(await page.locator('#filter').inputValue()).toBe('');
    expect(await page.locator('#tail tbody tr').count()).toBeGreaterThan(1);
    await page.keyboard.press('p');
    expect(await page.locator('#pause').getAttribute('aria-pressed')).toBe('true');
    // Every control is reachable with Tab.
    const focusable = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=password]), select, button:not([type=submit])')].map((e) => e.id),
    );
    expect(focusable).toEqual(['filter', 'level', 'pause']);
    await page.close();
  });

  it('with --requirepass: the page loads, asks for the password once, then goes live', async () => {
    const secured = await startHttpServe(join(dir, 'secured'), ['--requirepass', 's3cret']);
    try {
      expect((await fetch(`${secured.url}/stats`)).status).toBe(401);
      const page = await browser.newPage();
      await page.goto(`${secured.url}/`);
      await page.locator('#token').waitFor({ state: 'visible', timeout: 5000 });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
      await page.keyboard.type('s3cret');
      await page.keyboard.press('Enter');
      await page.locator('#connection.live').waitFor({ timeout: 10_000 });
      expect(await page.locator('#token-form').isHidden()).toBe(true);
      await page.close();
    } finally {
      await secured.server.stop();
    }
  });

  it('serves its assets with content types and cache headers, and saves the docs screenshot when asked', async () => {
    const pageRes = await fetch(`${base}/`);
    expect(pageRes.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(pageRes.headers.get('cache-control')).toBe('no-cache');
    const etag = pageRes.headers.get('etag')!;
    expect((await fetch(`${base}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const html = await pageRes.text();
    const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(4);
    for (const asset of assets) {
      const res = await fetch(`${base}/${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      );
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${base}/assets/nope.js`)).status).toBe(404);

    const target = process.env.ESC_DASHBOARD_SCREENSHOT;
    if (target !== undefined) {
      // A page worth looking at: a minute of LogStream-like traffic, then a live burst.
      await fetch(`${base}/simulate?count=3000`, { method: 'POST' });
      const page = await openDashboard();
      for (let i = 0; i < 8; i++) {
        await fetch(`${base}/simulate?count=${200 + 150 * (i % 3)}`, { method: 'POST' });
        await page.waitForTimeout(1000);
      }
      await page.screenshot({ path: resolve(REPO_ROOT, target) });
      await page.close();
    }
  });
});
