import { createHash } from 'node:crypto';
import type { AlertClock } from '../alerts/alert-clock.js';
import {
  type AlertTransition,
  definitionKey,
  reconcileRules,
  describeFiring,
  type ObservedEvent,
  type RuleStatus,
} from '../alerts/alert-engine.js';
import type { AlertLogger } from '../alerts/alert-log.js';
import type { AlertRule } from '../alerts/alert-rules.js';
import type { RuleEngine, RuleEngineFactory } from '../alerts/rule-engine.js';
import { ALERT_RETIRE_SCRIPT, ALERT_WINDOW_SCRIPT } from './alert-window-script.js';
import type { RedisBackend } from './redis-backend.js';

/** Every rule is judged this often even without matches (resolution, a cooldown ending, another instance's state). */
const TICK_MS = 1_000;

type ScriptReply = [string, number, number, string, number, string, string, number, number];

/** One rule: its keys (named by the rule and a hash of its definition) and its state as last read from Redis. */
class RedisRule {
  readonly keys: string[];
  readonly firingKey: string;
  /** Matches not yet sent, and the chain of this rule's script calls (in order, one at a time). */
  pending: [number, string][] = [];
  chain: Promise<void> = Promise.resolve();
  status: RuleStatus;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly rule: AlertRule,
    prefix: string,
  ) {
    const definition = createHash('sha1').update(definitionKey(rule)).digest('hex').slice(0, 12);
    const tag = `{${prefix}:alert:${rule.name}:${definition}}`;
    this.firingKey = `${tag}:firing`;
    this.keys = [`${tag}:window`, `${tag}:overflow`, this.firingKey, `${tag}:cooldown`, `${tag}:seq`];
    this.status = { rule: rule.name, state: 'inactive', count: 0, threshold: rule.threshold, window: rule.window };
  }
}

/**
 * The alert engine of `esc serve --backend`: each instance sends the matches of the events it stored to Redis,
 * where one script per rule counts the sliding window and flips the firing state atomically
 * (ALERT_WINDOW_SCRIPT). The instance whose call flips it delivers the notification, so a rule crossing its
 * threshold fires once across all instances, and resolves once. Every instance judges every rule each second
 * (and when a window's oldest match leaves it), so a firing resolves even if the instance that fired it is gone.
 */
export class RedisAlertEngine implements RuleEngine {
  private trackers: RedisRule[] = [];
  private readonly tick: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly backend: RedisBackend,
    rules: readonly AlertRule[],
    private readonly clock: AlertClock,
    private readonly emit: (transition: AlertTransition) => void,
    private readonly log: AlertLogger,
  ) {
    this.setRules(rules);
    this.tick = setInterval(() => {
      for (const t of this.trackers) this.judge(t);
    }, TICK_MS).unref();
  }

  static factory(backend: RedisBackend, log: AlertLogger): RuleEngineFactory {
    return (rules, clock, emit) => new RedisAlertEngine(backend, rules, clock, emit, log);
  }

  observe(event: ObservedEvent): void {
    for (const t of this.trackers) {
      if (!t.rule.matches(event)) continue;
      // Matches of events stored together go in one call per rule.
      if (t.pending.push([event.receivedAt, event.id]) === 1) setImmediate(() => this.judge(t));
    }
  }

  setRules(rules: readonly AlertRule[]): void {
    this.trackers = reconcileRules(
      this.trackers,
      rules,
      (rule) => new RedisRule(rule, this.backend.prefix),
      (gone, why) => this.retire(gone, why),
    );
  }

  rules(): AlertRule[] {
    return this.trackers.map((t) => t.rule);
  }

  /** The states as last read from Redis (at most a second old). */
  status(): RuleStatus[] {
    return this.trackers.map((t) => ({ ...t.status }));
  }

  close(): void {
    this.closed = true;
    clearInterval(this.tick);
    for (const t of this.trackers) if (t.timer !== null) clearTimeout(t.timer);
  }

  /** Sends the rule's pending matches (maybe none) and acts on the state Redis answers. */
  private judge(t: RedisRule): void {
    t.chain = t.chain.then(async () => {
      if (this.closed) return;
      const matches = t.pending;
      t.pending = [];
      const rule = t.rule;
      const now = this.clock.now();
      const args: (string | number)[] = [
        now,
        rule.windowMs,
        rule.threshold,
        rule.cooldownMs,
        Math.max(1, Math.ceil(rule.windowMs / 64)),
        `${rule.name}@${now}`,
        matches.length,
      ];
      for (const [at, id] of matches) args.push(at, id);
      let reply: ScriptReply;
      try {
        reply = (await ALERT_WINDOW_SCRIPT.run(this.backend.connection.client, t.keys, args)) as ScriptReply;
      } catch (err) {
        this.log.error({ rule: rule.name, err: (err as Error).message }, 'alert window not updated in Redis');
        return;
      }
      this.apply(t, reply, now);
    });
  }

  private apply(t: RedisRule, reply: ScriptReply, now: number): void {
    const [state, count, belowAt, id, startsAt, firstEventId, lastEventId, peak, cooldownUntil] = reply;
    const rule = t.rule;
    const firing = { id, startsAt, firstEventId, lastEventId, peak };
    t.status = { rule: rule.name, state: 'inactive', count, threshold: rule.threshold, window: rule.window };
    if (state === 'fired' || state === 'firing') {
      t.status.state = 'firing';
      t.status.alertId = id;
      t.status.startsAt = new Date(startsAt).toISOString();
    } else if (count > 0) t.status.state = 'pending';
    if (cooldownUntil > now) t.status.cooldownUntil = new Date(cooldownUntil).toISOString();
    if (state === 'fired') this.emit({ ...describeFiring(rule, firing), status: 'firing', count });
    if (state === 'resolved')
      this.emit({
        ...describeFiring(rule, firing),
        status: 'resolved',
        count,
        peakCount: peak,
        endsAt: new Date(now).toISOString(),
      });
    // The moment the count falls below the threshold without new matches: judge then, not only at the next tick.
    if (belowAt > now && (state === 'fired' || state === 'firing')) {
      if (t.timer !== null) clearTimeout(t.timer);
      t.timer = setTimeout(
        () => {
          t.timer = null;
          this.judge(t);
        },
        belowAt - now + 1,
      ).unref();
    }
  }

  private retire(t: RedisRule, reason: 'rule changed' | 'rule removed'): void {
    if (t.timer !== null) clearTimeout(t.timer);
    t.chain = t.chain.then(async () => {
      try {
        const f = (await ALERT_RETIRE_SCRIPT.run(this.backend.connection.client, [t.firingKey], [])) as
          | [string, number, string, string, number]
          | null;
        if (f === null) return;
        const [id, startsAt, firstEventId, lastEventId, peak] = f;
        this.emit({
          ...describeFiring(t.rule, { id, startsAt, firstEventId, lastEventId, peak }),
          status: 'resolved',
          count: 0,
          peakCount: peak,
          endsAt: new Date(this.clock.now()).toISOString(),
          reason,
        });
      } catch (err) {
        this.log.error({ rule: t.rule.name, err: (err as Error).message }, 'alert rule not retired in Redis');
      }
    });
  }
}
