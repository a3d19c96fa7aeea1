import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@esc/core';
import { ConfigSchema, configFromFlags, loadConfigFile } from './config.js';

describe('engine config', () => {
  it("holds the original project's defaults", () => {
    const c = ConfigSchema.parse({});
    expect(c.memtableSize).toBe(1024 * 1024);
    expect(c.segmentSize).toBe(1024 * 1024);
    expect(c.compactionThreshold).toBe(4);
    expect(c.bloomBitsPerKey).toBe(10);
    expect(c.syncMode).toBe('none');
    expect(c.walDir).toBe('');
  });

  it('loads a JSON file and names the file and field of a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-engine-config-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ memtableSize: 4096, syncMode: 'always' }));
      expect(loadConfigFile(good)).toEqual({ memtableSize: 4096, syncMode: 'always' });
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ syncMode: 'sometimes' }));
      expect(() => loadConfigFile(bad)).toThrow(InvalidInputError);
      expect(() => loadConfigFile(bad)).toThrow(/syncMode/);
      const unknown = join(dir, 'unknown.json');
      writeFileSync(unknown, JSON.stringify({ memtablesize: 1 }));
      expect(() => loadConfigFile(unknown)).toThrow(InvalidInputError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns CLI flags into config values', () => {
    expect(
      configFromFlags({
        'memtable-size': '64K',
        'sync-mode': 'batch',
        'auto-compact': 'false',
        'compaction-threshold': '8',
        'wal-dir': '/x',
      }),
    ).toEqual({
      memtableSize: 65536,
      syncMode: 'batch',
      autoCompact: false,
      compactionThreshold: 8,
      walDir: '/x',
    });
    expect(() => configFromFlags({ 'memtable-size': 'lots' })).toThrow(/memtable-size/);
    expect(() => configFromFlags({ 'no-such-knob': '1' })).toThrow(/no-such-knob/);
  });
});
