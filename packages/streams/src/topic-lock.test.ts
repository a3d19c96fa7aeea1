import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { acquireTopicLock, lockWanted } from './topic-lock.js';

const tempDir = useTempDirs('topic-lock');
const options = { staleMs: 10_000, waitMs: 60_000 };

describe('acquireTopicLock', () => {
  it('marks the lock wanted while it waits for it, and not when it is free', async () => {
    const dir = tempDir();
    const lockPath = join(dir, '.lock');
    expect(lockWanted(lockPath, 60_000)).toBe(false);
    const releaseFirst = await acquireTopicLock(dir, lockPath, options, () => undefined);
    const second = acquireTopicLock(dir, lockPath, options, () => undefined);
    while (!lockWanted(lockPath, 60_000)) await new Promise((r) => setTimeout(r, 5));
    await releaseFirst();
    const releaseSecond = await second;
    await releaseSecond();
    // Long after: a wanted file touched before the window is nobody waiting now.
    expect(lockWanted(lockPath, -60_000)).toBe(false);
  });
});
