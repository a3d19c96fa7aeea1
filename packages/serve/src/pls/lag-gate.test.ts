import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LagGate, type LagFollower } from './lag-gate.js';

/** A subscriber whose lag the test sets. */
function follower(): LagFollower & { n: number } {
  const f = { n: 0, lag: () => f.n };
  return f;
}

describe('LagGate', () => {
  let changes = 0;
  let gate: LagGate;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    changes = 0;
    gate = new LagGate({ maxLag: 100, resumeLag: 10, maxHoldMs: 1000 }, () => changes++);
  });
  afterEach(() => {
    gate.close();
    vi.useRealTimers();
  });

  it('holds a topic past maxLag and frees it at resumeLag (hysteresis), other topics untouched', () => {
    const f = follower();
    gate.follow('a', f);
    f.n = 100;
    gate.appended('a');
    expect(gate.isHeld('a')).toBe(false);
    f.n = 101;
    gate.appended('a');
    expect(gate.isHeld('a')).toBe(true);
    expect(gate.isHeld('b')).toBe(false);
    expect(changes).toBe(1);
    f.n = 50;
    gate.progressed('a', f);
    expect(gate.isHeld('a')).toBe(true);
    f.n = 10;
    gate.progressed('a', f);
    expect(gate.isHeld('a')).toBe(false);
    expect([changes, gate.holds, gate.holdingAny]).toEqual([2, 1, false]);
  });

  it('holds while any follower of the topic lags, and forgets one that unfollows', () => {
    const [f, g] = [follower(), follower()];
    gate.follow('a', f);
    gate.follow('a', g);
    f.n = g.n = 500;
    gate.appended('a');
    f.n = 0;
    gate.progressed('a', f);
    expect(gate.isHeld('a')).toBe(true);
    gate.unfollow('a', g);
    expect(gate.isHeld('a')).toBe(false);
    // Not followed any more: its reports change nothing.
    gate.progressed('a', g);
    expect(gate.isHeld('a')).toBe(false);
  });

  it('lets go of a follower not caught up within maxHoldMs of the hold, reading or not, until it has caught up', () => {
    const letGo: string[] = [];
    gate = new LagGate(
      { maxLag: 100, resumeLag: 10, maxHoldMs: 1000 },
      () => changes++,
      (t) => letGo.push(t),
    );
    const [stuck, slow, quick] = [follower(), follower(), follower()];
    gate.follow('a', stuck);
    gate.follow('b', slow);
    gate.follow('c', quick);
    stuck.n = slow.n = quick.n = 200;
    gate.appended('a');
    gate.appended('b');
    gate.appended('c');
    // The slow one takes a little every 300 ms but stays over resumeLag; the quick one catches up at 900 ms.
    for (let t = 1; t <= 3; t++) {
      vi.advanceTimersByTime(300);
      slow.n -= 10;
      gate.progressed('b', slow);
    }
    quick.n = 10;
    gate.progressed('c', quick);
    expect([gate.isHeld('a'), gate.isHeld('b'), gate.isHeld('c')]).toEqual([true, true, false]);
    vi.advanceTimersByTime(400);
    // Past the limit: both let go (a slow reader does not set its producers' pace for long).
    expect([gate.isHeld('a'), gate.isHeld('b')]).toEqual([false, false]);
    expect([letGo.sort(), gate.released]).toEqual([['a', 'b'], 2]);
    // Left behind: a bigger lag does not hold again…
    stuck.n = 10_000;
    gate.appended('a');
    expect(gate.isHeld('a')).toBe(false);
    // …until it catches up and falls behind anew.
    stuck.n = 5;
    gate.progressed('a', stuck);
    stuck.n = 200;
    gate.appended('a');
    expect(gate.isHeld('a')).toBe(true);
  });
});
