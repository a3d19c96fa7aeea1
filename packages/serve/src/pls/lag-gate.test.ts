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
    gate = new LagGate({ maxLag: 100, resumeLag: 10, stallMs: 1000 }, () => changes++);
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

  it('lets go of a follower whose socket takes nothing for stallMs, until it has caught up', () => {
    const letGo: string[] = [];
    gate = new LagGate(
      { maxLag: 100, resumeLag: 10, stallMs: 1000 },
      () => changes++,
      (t) => letGo.push(t),
    );
    const [stuck, slow] = [follower(), follower()];
    gate.follow('a', stuck);
    gate.follow('b', slow);
    stuck.n = slow.n = 200;
    gate.appended('a');
    gate.appended('b');
    // The slow one makes progress every 600 ms; the stuck one none.
    for (let t = 0; t < 4; t++) {
      vi.advanceTimersByTime(600);
      gate.progressed('b', slow);
    }
    expect(gate.isHeld('a')).toBe(false);
    expect(gate.isHeld('b')).toBe(true);
    expect([letGo, gate.released]).toEqual([['a'], 1]);
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
