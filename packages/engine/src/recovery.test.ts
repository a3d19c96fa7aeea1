import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { CorruptionError, EngineLockedError, open } from './index.js';

const tempDir = useTempDirs('recovery');

describe('recovery', () => {
  it('replays the log of a closed engine whose memtable was never flushed, into a segment', async () => {
    const dir = tempDir();
    let db = await open(dir);
    await db.batch([
      { type: 'put', key: 'a', value: '1' },
      { type: 'put', key: 'b', value: '2' },
    ]);
    await db.del('a');
    await db.close();
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBe(1);
    expect(statSync(join(dir, logs[0]!)).size).toBeGreaterThan(0);
    db = await open(dir);
    const s = await db.stats();
    expect(s.recovery.replayedBatches).toBe(2);
    expect(s.segments.length).toBe(1);
    expect(s.segments[0]!.tombstones).toBe(1);
    expect(await db.get('a')).toBeUndefined();
    expect((await db.get('b'))?.toString()).toBe('2');
    // The replayed log is gone; only the fresh one remains.
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).not.toContain(logs[0]);
    await db.close();
  });

  it('keeps logs in walDir when one is configured', async () => {
    const dir = tempDir();
    const walDir = join(tempDir(), 'wal');
    let db = await open(dir, { walDir });
    await db.put('k', 'v');
    await db.close();
    expect(readdirSync(walDir).filter((f) => f.endsWith('.log')).length).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBe(0);
    db = await open(dir, { walDir });
    expect((await db.get('k'))?.toString()).toBe('v');
    await db.close();
  });

  it('replays the logs where the manifest says they are when opened with another walDir', async () => {
    const dir = tempDir();
    const walDir = join(tempDir(), 'wal');
    let db = await open(dir, { walDir, syncMode: 'always' });
    await db.put('k', 'acknowledged');
    await db.close();
    // Opened without the walDir: the write is still found, and the next open, with it again, keeps it.
    db = await open(dir, { syncMode: 'always' });
    expect((await db.get('k'))?.toString()).toBe('acknowledged');
    await db.put('k2', 'v2');
    await db.close();
    expect(readdirSync(walDir).filter((f) => f.endsWith('.log'))).toEqual([]);
    db = await open(dir, { walDir });
    expect((await db.get('k'))?.toString()).toBe('acknowledged');
    expect((await db.get('k2'))?.toString()).toBe('v2');
    await db.close();
  });

  it('refuses to open when the write-ahead log directory the manifest names is gone', async () => {
    const dir = tempDir();
    const walDir = join(tempDir(), 'wal');
    const db = await open(dir, { walDir });
    await db.put('k', 'v');
    await db.close();
    rmSync(walDir, { recursive: true });
    const err = await open(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).message).toContain(walDir);
    expect((err as CorruptionError).path).toBe(join(dir, 'MANIFEST'));
  });

  it('takes over a lock left by a dead process and reports it', async () => {
    const dir = tempDir();
    await (await open(dir)).close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    writeFileSync(join(dir, 'LOCK'), `${deadPid} 12345\n`);
    const db = await open(dir);
    expect((await db.stats()).recovery.staleLockPid).toBe(deadPid);
    await db.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it('waits lockTimeoutMs while another live process holds the lock, then fails naming its pid', async () => {
    const dir = tempDir();
    await (await open(dir)).close();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'LOCK'), `${holder.pid} 0\n`);
      for (const lockTimeoutMs of [0, 300]) {
        const started = Date.now();
        const err = await open(dir, { lockTimeoutMs }).then(
          () => null,
          (e: unknown) => e,
        );
        const waited = Date.now() - started;
        expect(err).toBeInstanceOf(EngineLockedError);
        expect((err as EngineLockedError).holderPid).toBe(holder.pid);
        expect((err as Error).message).toBe(`database is locked by process ${holder.pid}`);
        expect(waited).toBeGreaterThanOrEqual(lockTimeoutMs);
        expect(waited).toBeLessThan(lockTimeoutMs + 1000);
      }
      // A lock let go while a contender waits is taken by it.
      const waiting = open(dir, { lockTimeoutMs: 5000 });
      setTimeout(() => rmSync(join(dir, 'LOCK')), 200);
      await (await waiting).close();
    } finally {
      const exited = new Promise((r) => holder.on('exit', r));
      holder.kill('SIGKILL');
      await exited;
    }
    const db = await open(dir);
    await db.close();
  });

  it('deletes segment files the manifest does not list (a crashed flush) without reusing their numbers', async () => {
    const dir = tempDir();
    let db = await open(dir);
    await db.put('a', '1');
    await db.flush();
    await db.close();
    const orphan = join(dir, '000050.sst');
    writeFileSync(orphan, 'half-written segment');
    db = await open(dir);
    expect(existsSync(orphan)).toBe(false);
    await db.put('b', '2');
    await db.flush();
    const ids = (await db.stats()).segments.map((s) => s.id);
    expect(Math.max(...ids)).toBeGreaterThan(50);
    expect((await db.get('a'))?.toString()).toBe('1');
    await db.close();
  });

  it('refuses to start over segment files when the manifest is missing', async () => {
    const dir = tempDir();
    const db = await open(dir);
    await db.put('a', '1');
    await db.flush();
    await db.close();
    unlinkSync(join(dir, 'MANIFEST'));
    await expect(open(dir)).rejects.toThrow(CorruptionError);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sst'))).toHaveLength(1);
  });
});
