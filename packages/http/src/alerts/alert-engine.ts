import type { AlertClock } from './alert-clock.js';
import type { AlertRule } from './alert-rules.js';
import { SlidingCount } from './sliding-count.js';

/** What the engine reads of an ingested event (the HTTP layer's event has more). */
export interface ObservedEvent {
  id: string;
  level: string;
  service: string;
  message: string;
  /** Server time when the event was received (ms): the clock the windows run on. */
  receivedAt: number;
}

/**
 * A rule's state, as Prometheus names an alert's: inactive (no match in the window), pending (matches, below
 * the threshold, or at it during the cooldown), firing.
 */
type RuleState = 'inactive' | 'pending' | 'firing';

/** One notification: a rule started firing, or stopped. A firing and its resolution share `id`. */
export interface AlertTransition {
  id: string;
  rule: string;
  status: 'firing' | 'resolved';
  /** Matches in the window when this was emitted (at firing: the threshold; at resolution: below it). */
  count: number;
  /** The highest count seen while firing (resolutions only). */
  peakCount?: number;
  threshold: number;
  window: string;
  windowMs: number;
  level?: string;
  service?: string;
  pattern?: string;
  /** The first and last matching events of the firing (the oldest of the window when it fired; the newest). */
  firstEventId: string;
  lastEventId: string;
  /** ISO 8601 server time when the rule started firing, and when it resolved. */
  startsAt: string;
  endsAt?: string;
  /** Why a resolution came without the count falling: the rules file changed or dropped the rule. */
  reason?: 'rule changed' | 'rule removed' | 'server restarted';
}

export interface RuleStatus {
  rule: string;
  state: RuleState;
  count: number;
  threshold: number;
  window: string;
  /** While firing: the firing's id and start. */
  alertId?: string;
  startsAt?: string;
  /** A resolved rule does not fire again before this (ISO 8601), when it has a cooldown. */
  cooldownUntil?: string;
}

/** A firing as the engines keep it (startsAt in ms). */
export interface Firing {
  id: string;
  startsAt: number;
  firstEventId: string;
  lastEventId: string;
  peak: number;
}

/** A transition's description of a firing: the rule's settings and the firing's ids and start. */
export function describeFiring(rule: AlertRule, firing: Firing): Omit<AlertTransition, 'status' | 'count'> {
  const d: Omit<AlertTransition, 'status' | 'count'> = {
    id: firing.id,
    rule: rule.name,
    threshold: rule.threshold,
    window: rule.window,
    windowMs: rule.windowMs,
    firstEventId: firing.firstEventId,
    lastEventId: firing.lastEventId,
    startsAt: new Date(firing.startsAt).toISOString(),
  };
  if (rule.level !== undefined) d.level = rule.level;
  if (rule.service !== undefined) d.service = rule.service;
  if (rule.pattern !== undefined) d.pattern = rule.pattern;
  return d;
}

/** One rule's live state. */
class RuleTracker {
  readonly window: SlidingCount;
  firing: Firing | null = null;
  cooldownUntil = 0;
  timer: unknown = null;
  timerAt = 0;

  constructor(readonly rule: AlertRule) {
    this.window = new SlidingCount(rule.threshold, rule.windowMs);
  }
}

/** Rules with the same name and definition keep their windows and firing state across a reload. */
export function definitionKey(rule: AlertRule): string {
  return JSON.stringify([rule.level, rule.service, rule.pattern, rule.threshold, rule.windowMs, rule.cooldownMs]);
}

/**
 * The trackers for a reloaded rule set: a rule whose definition is unchanged keeps its tracker (and state); a
 * changed or removed rule's tracker is handed to `retire` once, with the reason.
 */
export function reconcileRules<T extends { rule: AlertRule }>(
  current: readonly T[],
  rules: readonly AlertRule[],
  make: (rule: AlertRule) => T,
  retire: (tracker: T, why: 'rule changed' | 'rule removed') => void,
): T[] {
  const old = new Map(current.map((t) => [t.rule.name, t]));
  const next = rules.map((rule) => {
    const kept = old.get(rule.name);
    if (kept === undefined) return make(rule);
    old.delete(rule.name);
    if (definitionKey(kept.rule) === definitionKey(rule)) return kept;
    retire(kept, 'rule changed');
    return make(rule);
  });
  for (const gone of old.values()) retire(gone, 'rule removed');
  return next;
}

/**
 * Counts each rule's matches over a sliding window of server time and turns threshold crossings into
 * transitions: a rule fires once when its count reaches the threshold, stays firing without repeating, and
 * resolves when the count falls below it, by a timer when no event comes. After a resolution, a rule with a
 * cooldown does not fire again before the cooldown has passed (if its count is still at the threshold then, it
 * fires at that moment). Synchronous and cheap per event: ingestion calls it inline.
 */
export class AlertEngine {
  private trackers: RuleTracker[] = [];
  /** The latest server time seen: times are clamped to it, so a clock stepping back cannot reorder windows. */
  private latest = 0;

  constructor(
    rules: readonly AlertRule[],
    private readonly clock: AlertClock,
    private readonly emit: (transition: AlertTransition) => void,
  ) {
    this.setRules(rules);
  }

  /** Counts an event against every rule it matches. */
  observe(event: ObservedEvent): void {
    const at = this.advance(event.receivedAt);
    for (const tracker of this.trackers) {
      if (!tracker.rule.matches(event)) continue;
      // A firing whose count fell below the threshold before this event resolves at that moment first, as its
      // timer would have: on a busy event loop the timer may not have run yet, and the firing would swallow
      // this event instead of resolving and firing again.
      const below = tracker.firing === null ? null : tracker.window.belowThresholdAt();
      if (below !== null && below <= at) this.evaluate(tracker, below);
      tracker.window.add(at, event.id);
      if (tracker.firing !== null) tracker.firing.lastEventId = event.id;
      this.evaluate(tracker, at);
    }
  }

  /** Replaces the rules (a reloaded file); unchanged rules keep their state, firing ones that go are resolved. */
  setRules(rules: readonly AlertRule[]): void {
    const now = this.advance(this.clock.now());
    this.trackers = reconcileRules(
      this.trackers,
      rules,
      (rule) => new RuleTracker(rule),
      (gone, why) => this.retire(gone, now, why),
    );
  }

  rules(): AlertRule[] {
    return this.trackers.map((t) => t.rule);
  }

  /** Every rule's state now. */
  status(): RuleStatus[] {
    const now = this.advance(this.clock.now());
    return this.trackers.map((t) => {
      const count = t.window.count(now);
      const status: RuleStatus = {
        rule: t.rule.name,
        state: t.firing !== null ? 'firing' : count > 0 ? 'pending' : 'inactive',
        count,
        threshold: t.rule.threshold,
        window: t.rule.window,
      };
      if (t.firing !== null) {
        status.alertId = t.firing.id;
        status.startsAt = new Date(t.firing.startsAt).toISOString();
      }
      if (t.cooldownUntil > now) status.cooldownUntil = new Date(t.cooldownUntil).toISOString();
      return status;
    });
  }

  /** Stops the timers (the server is closing). */
  close(): void {
    for (const t of this.trackers) this.disarm(t);
  }

  private advance(time: number): number {
    if (time > this.latest) this.latest = time;
    return this.latest;
  }

  private evaluate(t: RuleTracker, now: number): void {
    const count = t.window.count(now);
    const rule = t.rule;
    if (t.firing !== null) {
      if (count >= rule.threshold) {
        if (count > t.firing.peak) t.firing.peak = count;
        this.arm(t, t.window.belowThresholdAt()!);
        return;
      }
      this.resolve(t, now, count);
      return;
    }
    if (count < rule.threshold) return;
    if (now < t.cooldownUntil) {
      this.arm(t, t.cooldownUntil);
      return;
    }
    const first = t.window.oldest()!;
    const last = t.window.newest()!;
    t.firing = { id: `${rule.name}@${now}`, startsAt: now, firstEventId: first.id, lastEventId: last.id, peak: count };
    this.emit({
      ...describeFiring(t.rule, t.firing),
      status: 'firing',
      count,
    });
    this.arm(t, t.window.belowThresholdAt()!);
  }

  private resolve(t: RuleTracker, now: number, count: number, reason?: AlertTransition['reason']): void {
    const firing = t.firing!;
    t.firing = null;
    t.cooldownUntil = now + t.rule.cooldownMs;
    this.disarm(t);
    const transition: AlertTransition = {
      ...describeFiring(t.rule, firing),
      status: 'resolved',
      count,
      peakCount: firing.peak,
      endsAt: new Date(now).toISOString(),
    };
    if (reason !== undefined) transition.reason = reason;
    this.emit(transition);
  }

  private retire(t: RuleTracker, now: number, reason: AlertTransition['reason']): void {
    if (t.firing !== null) this.resolve(t, now, t.window.count(now), reason);
    this.disarm(t);
  }

  /**
   * One timer per rule, for the moment its state can change without an event (the count falling below the
   * threshold, a cooldown ending). New matches only move that moment later, so an armed earlier timer stays
   * and re-arms when it wakes: no timer churn per event.
   */
  private arm(t: RuleTracker, at: number): void {
    if (t.timer !== null && t.timerAt <= at) return;
    this.disarm(t);
    t.timerAt = at;
    t.timer = this.clock.setTimer(
      () => {
        t.timer = null;
        if (!this.trackers.includes(t)) return;
        this.evaluate(t, this.advance(this.clock.now()));
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private disarm(t: RuleTracker): void {
    if (t.timer !== null) this.clock.clearTimer(t.timer);
    t.timer = null;
  }
}
