import { describe, expect, it } from 'vitest';
import { WakeSignal } from './wake-signal.js';

describe('WakeSignal', () => {
  it('ends a wait on wake, with false', async () => {
    const signal = new WakeSignal();
    const waiting = signal.wait(60_000);
    signal.wake();
    expect(await waiting).toBe(false);
  });

  it('ends a wait on its timeout, with true, and a later wake is harmless', async () => {
    const signal = new WakeSignal();
    expect(await signal.wait(5)).toBe(true);
    signal.wake();
  });

  it('drops a wake nobody waits for: the next wait still waits', async () => {
    const signal = new WakeSignal();
    signal.wake();
    let done = false;
    const waiting = signal.wait().then((timedOut) => {
      done = true;
      return timedOut;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    signal.wake();
    expect(await waiting).toBe(false);
  });
});
