import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStreams } from '@esc/streams';
import { afterEach, describe, expect, it } from 'vitest';
import type { FamilyEnv } from '../family-env.js';
import { resolveServeConfig, type ServeConfigInput } from '../serve-config.js';
import { startPlsFrontEnd } from './pls-front-end.js';
import { onFreePort } from '@esc/test-fixtures';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function frontEnd(flags: ServeConfigInput) {
  const dir = mkdtempSync(join(tmpdir(), 'esc-pls-fe-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const topics = openStreams(dir);
  cleanups.push(() => topics.close());
  const warnings: string[] = [];
  const env = {
    config: resolveServeConfig({ dir, ...flags }),
    logger: { debug() {}, info() {}, warn: (_f: object, m: string) => warnings.push(m), error() {} },
    streams: () => topics,
  } as unknown as FamilyEnv;
  const started = await startPlsFrontEnd(env);
  if (started !== null) cleanups.push(() => started.family.close?.());
  return { started, warnings };
}

describe('the PLS front-end in esc serve', () => {
  it('is off with --pls-port 0', async () => {
    expect((await frontEnd({ plsPort: 0 })).started).toBeNull();
  });

  it('listens on loopback only when --bind is not loopback, even with a password (the protocol has no AUTH)', async () => {
    const guarded = await onFreePort((plsPort) => frontEnd({ bind: '0.0.0.0', requirepass: 'secret', plsPort }));
    expect(guarded.started!.address.address).toBe('127.0.0.1');
    expect(guarded.warnings.join('\n')).toContain('no authentication');
    const plain = await onFreePort((plsPort) => frontEnd({ plsPort }));
    expect(plain.warnings).toEqual([]);
  });

  it('shows its counters in INFO stats', async () => {
    const { started } = await onFreePort((plsPort) => frontEnd({ plsPort }));
    expect(started!.family.info!('stats').map(([name]) => name)).toContain('pls_crc_errors');
    expect(started!.family.info!('keyspace')).toEqual([]);
  });

  it('names the port in one line when it cannot listen', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => busy.close(resolve)));
    const port = (busy.address() as AddressInfo).port;
    await expect(frontEnd({ plsPort: port })).rejects.toThrow(`cannot listen on 127.0.0.1:${port} (pls)`);
  });
});
