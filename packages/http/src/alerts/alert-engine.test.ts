import { describe, expect, it } from 'vitest';
import { AlertEngine, type AlertTransition, type ObservedEvent } from './alert-engine.js';
import { defaultRuleSet, parseRuleSet } from './alert-rules.js';
import { ManualClock } from './test-helpers/manual-clock.js';

function setup(rules: unknown[]) {
  const clock = new ManualClock();
  const seen: AlertTransition[] = [];
  const engine = new AlertEngine(parseRuleSet({ rules }, 'test').rules, clock, (t) => seen.push(t));
  let n = 0;
  const send = (level: string, extra: Partial<ObservedEvent> = {}) => {
    const id = `e${++n}`;
    engine.observe({ id, level, service: 'api', message: 'boom', receivedAt: clock.now(), ...extra });
    return id;
  };
  return { clock, seen, engine, send };
}

const errors10in1m = { name: 'errors', level: 'ERROR', threshold: 10, window: '1m' };

describe('AlertEngine', () => {
  it('fires once when the count reaches the threshold, with the count, the window and the event ids', () => {
    const { clock, seen, send } = setup([errors10in1m]);
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      ids.push(send('ERROR'));
      clock.advance(1000);
    }
    expect(seen).toEqual([]);
    ids.push(send('error'));
    expect(seen).toEqual([
      {
        id: `errors@${clock.now()}`,
        rule: 'errors',
        status: 'firing',
        count: 10,
        threshold: 10,
        window: '1m',
        windowMs: 60_000,
        level: 'ERROR',
        firstEventId: ids[0],
        lastEventId: ids[9],
        startsAt: new Date(clock.now()).toISOString(),
      },
    ]);
  });

  it('does not repeat while over the threshold, and counts the peak', () => {
    const { clock, seen, send } = setup([errors10in1m]);
    for (let i = 0; i < 50; i++) {
      send('ERROR');
      clock.advance(100);
    }
    expect(seen.map((t) => t.status)).toEqual(['firing']);
    clock.advance(60_000);
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved']);
    expect(seen[1]).toMatchObject({ count: 9, peakCount: 50, id: seen[0]!.id, lastEventId: 'e50' });
  });

  it('resolves a firing whose count fell below the threshold before the next match, though its timer ran late', () => {
    const { clock, seen, send } = setup([{ name: 'one', level: 'ERROR', threshold: 1, window: '1s' }]);
    const t0 = clock.now();
    send('ERROR');
    // The next match is 5 s later in server time, and the event loop has not run the 1 s timer yet.
    send('ERROR', { receivedAt: t0 + 5000 });
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(seen[1]).toMatchObject({ count: 0, endsAt: new Date(t0 + 1000).toISOString(), lastEventId: 'e1' });
    expect(seen[2]).toMatchObject({ firstEventId: 'e2', startsAt: new Date(t0 + 5000).toISOString() });
    clock.advance(7000);
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved', 'firing', 'resolved']);
  });

  it('resolves by a timer, without new events, when the oldest of the threshold leaves the window', () => {
    const { clock, seen, send, engine } = setup([errors10in1m]);
    for (let i = 0; i < 10; i++) {
      send('ERROR');
      clock.advance(1000);
    }
    // e1 arrived at t0; the window is (now - 1m, now], so e1 leaves at t0 + 60 s: 50 s from here.
    const t0 = clock.now() - 10_000;
    clock.advance(49_999);
    expect(seen.map((t) => t.status)).toEqual(['firing']);
    expect(engine.status()[0]).toMatchObject({ state: 'firing', count: 10 });
    clock.advance(1);
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved']);
    expect(seen[1]).toMatchObject({ count: 9, endsAt: new Date(t0 + 60_000).toISOString() });
    expect(engine.status()[0]).toMatchObject({ state: 'pending', count: 9 });
    clock.advance(60_000);
    expect(engine.status()[0]).toMatchObject({ state: 'inactive', count: 0 });
  });

  it('fires again after a resolution when the count reaches the threshold again', () => {
    const { clock, seen, send } = setup([errors10in1m]);
    for (let i = 0; i < 10; i++) send('ERROR');
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) send('ERROR');
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(seen[2]!.id).not.toBe(seen[0]!.id);
  });

  it('a sliding window: 9 per minute, spread out, never fires; 10 within any minute does', () => {
    const { clock, seen, send } = setup([errors10in1m]);
    // One every 6.67 s: at most 9 in any 60 s window.
    for (let i = 0; i < 100; i++) {
      send('ERROR');
      clock.advance(6_667);
    }
    expect(seen).toEqual([]);
    clock.advance(60_000);
    // The tenth lands 59.4 s after the first of a run: all ten in one window.
    for (let i = 0; i < 9; i++) {
      send('ERROR');
      clock.advance(6_600);
    }
    expect(seen).toEqual([]);
    send('ERROR');
    expect(seen.map((t) => t.status)).toEqual(['firing']);
  });

  it('cooldown: no firing within the cooldown after a resolution; fires at its end if still over', () => {
    const { clock, seen, send } = setup([{ ...errors10in1m, cooldown: '5m' }]);
    for (let i = 0; i < 10; i++) send('ERROR');
    clock.advance(60_000);
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved']);
    // Over the threshold again within the cooldown: held back.
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) send('ERROR');
    expect(seen).toHaveLength(2);
    // It falls below before the cooldown ends: nothing.
    clock.advance(60_000);
    expect(seen).toHaveLength(2);
    // Over the threshold when the cooldown ends (5 min after the resolution): fires then.
    clock.advance(130_000);
    for (let i = 0; i < 10; i++) send('ERROR');
    expect(seen).toHaveLength(2);
    const resolvedAt = Date.parse(seen[1]!.endsAt!);
    clock.advance(resolvedAt + 300_000 - clock.now() - 1);
    expect(seen).toHaveLength(2);
    clock.advance(1);
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(seen[2]!.startsAt).toBe(new Date(resolvedAt + 300_000).toISOString());
  });

  it('several rules, each with its own level, service and pattern', () => {
    const { seen, send } = setup([
      errors10in1m,
      { name: 'critical', level: 'critical', threshold: 3, window: '30s' },
      { name: 'db-timeouts', service: 'db', pattern: 'time(d )?out', threshold: 2, window: '10s' },
      { name: 'warnings', level: 'WARN', threshold: 2, window: '10s' },
    ]);
    send('CRITICAL');
    send('CRITICAL');
    send('ERROR', { service: 'db', message: 'timeout after 5s' });
    send('ERROR', { service: 'api', message: 'timeout after 5s' });
    send('WARNING');
    expect(seen).toEqual([]);
    send('INFO', { service: 'db', message: 'timed out' });
    send('WARN');
    send('CRITICAL');
    expect(seen.map((t) => `${t.rule} ${t.status} ${t.count}`)).toEqual([
      'db-timeouts firing 2',
      'warnings firing 2',
      'critical firing 3',
    ]);
    expect(seen[0]).toMatchObject({ firstEventId: 'e3', lastEventId: 'e6', service: 'db', pattern: 'time(d )?out' });
  });

  it('a reload keeps unchanged rules firing, resolves changed and removed ones', () => {
    const { clock, seen, send, engine } = setup([
      errors10in1m,
      { name: 'crit', level: 'CRITICAL', threshold: 1, window: '1m' },
    ]);
    for (let i = 0; i < 10; i++) send('ERROR');
    send('CRITICAL');
    expect(seen.map((t) => `${t.rule} ${t.status}`)).toEqual(['errors firing', 'crit firing']);
    engine.setRules(
      parseRuleSet({ rules: [{ ...errors10in1m }, { name: 'new', threshold: 1, window: '1s' }] }, 't').rules,
    );
    expect(seen.slice(2)).toMatchObject([{ rule: 'crit', status: 'resolved', reason: 'rule removed' }]);
    engine.setRules(parseRuleSet({ rules: [{ ...errors10in1m, threshold: 20 }] }, 't').rules);
    expect(seen.slice(3)).toMatchObject([{ rule: 'errors', status: 'resolved', reason: 'rule changed', count: 10 }]);
    // The changed rule starts with an empty window; the removed one's timer does nothing.
    clock.advance(120_000);
    expect(seen).toHaveLength(4);
    expect(engine.status()).toEqual([{ rule: 'errors', state: 'inactive', count: 0, threshold: 20, window: '1m' }]);
  });

  it('a clock stepping back does not reorder the window', () => {
    const { clock, seen, send } = setup([{ name: 'r', threshold: 3, window: '10s' }]);
    send('INFO');
    send('INFO', { receivedAt: clock.now() - 5000 });
    send('INFO');
    expect(seen).toHaveLength(1);
    clock.advance(10_000);
    expect(seen.map((t) => t.status)).toEqual(['firing', 'resolved']);
  });

  it("LogStream's two rules are the defaults", () => {
    expect(defaultRuleSet().rules.map((r) => [r.name, r.level, r.threshold, r.windowMs])).toEqual([
      ['high-error-rate', 'ERROR', 10, 60_000],
      ['critical-burst', 'CRIT', 3, 30_000],
    ]);
  });
});
