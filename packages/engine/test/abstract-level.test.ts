import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runner = fileURLToPath(new URL('./abstract-level-suite.js', import.meta.url));

describe('EscLevel under abstract-level/test', () => {
  it('passes every assertion of the shared Level test suite', () => {
    const res = spawnSync(process.execPath, [runner], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 110_000 });
    const out = res.stdout;
    const failures = out.split('\n').filter((line) => line.startsWith('not ok'));
    // Show the first failures, with tape's diagnostics, when it goes wrong.
    expect(failures.slice(0, 10), res.stderr.slice(0, 2000)).toEqual([]);
    const pass = Number(/^# pass\s+(\d+)/m.exec(out)?.[1] ?? 0);
    // The suite has thousands of assertions; a handful would mean it stopped early.
    expect(pass).toBeGreaterThan(1000);
    expect(out).not.toMatch(/^# fail/m);
    expect(out).toMatch(/^# ok/m);
    expect(res.status).toBe(0);
  }, 120_000);
});
