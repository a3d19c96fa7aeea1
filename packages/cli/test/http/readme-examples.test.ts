import { spawnSync } from 'node:child_process';
import { makeTempDir } from '@esc/test-fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServe, startHttpServe } from './http-harness.js';

// LogStream's README examples, as written, with real curl; only the port is the test's.
const EXAMPLES = {
  ingest: `curl -X POST http://localhost:8080/ingest \\
  -H "Content-Type: application/json" \\
  -d '{"level":"ERROR","message":"Database connection failed","service":"user-service","metadata":{"user_id":"12345"}}'`,
  logs: 'curl "http://localhost:8080/logs?level=ERROR"',
  stats: 'curl http://localhost:8080/stats',
  simulate: 'curl -X POST http://localhost:8080/simulate',
};

function curl(example: string, port: number): unknown {
  const res = spawnSync(
    'bash',
    ['-c', `${example.replaceAll('localhost:8080', `localhost:${port}`)} --silent --show-error`],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  return JSON.parse(res.stdout);
}

let running: HttpServe | null = null;
const dir = makeTempDir('esc-http-readme');
afterEach(async () => {
  await running?.server.stop();
  running = null;
  dir.remove();
});

describe("LogStream's README examples against esc serve", () => {
  it('ingest, query by level, stats, simulate', async () => {
    running = await startHttpServe(dir.path);
    const port = Number(new URL(running.url).port);
    const accepted = curl(EXAMPLES.ingest, port) as { status: string; id: string };
    expect(accepted).toEqual({ status: 'accepted', id: expect.any(String) });
    expect(curl(EXAMPLES.logs, port)).toEqual({
      count: 1,
      logs: [
        {
          id: accepted.id,
          timestamp: expect.any(String),
          level: 'ERROR',
          service: 'user-service',
          message: 'Database connection failed',
          metadata: { user_id: '12345' },
          offset: 0,
          received_at: expect.any(String),
        },
      ],
      next: null,
    });
    expect(curl(EXAMPLES.stats, port)).toMatchObject({
      total_processed: 1,
      total_dropped: 0,
      uptime_seconds: expect.any(Number),
      avg_throughput: expect.any(Number),
      logs_in_storage: 1,
    });
    expect(curl(EXAMPLES.simulate, port)).toEqual({ status: 'simulation started', logs: '10000' });
    const deadline = Date.now() + 30_000;
    let stored = 0;
    while (stored < 10_001 && Date.now() < deadline) {
      stored = (curl(EXAMPLES.stats, port) as { logs_in_storage: number }).logs_in_storage;
      if (stored < 10_001) await new Promise((r) => setTimeout(r, 100));
    }
    expect(stored).toBe(10_001);
    const errors = curl(EXAMPLES.logs, port) as { count: number; logs: { level: string }[] };
    expect(errors.count).toBeGreaterThan(1);
    expect(new Set(errors.logs.map((l) => l.level))).toEqual(new Set(['ERROR']));
  });
});
