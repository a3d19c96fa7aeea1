import type { AlertClock } from './alert-clock.js';
import type { AlertTransition, ObservedEvent, RuleStatus } from './alert-engine.js';
import type { AlertRule } from './alert-rules.js';

/**
 * What the alert service drives: the in-memory AlertEngine of one server, or the RedisAlertEngine whose windows
 * and firing states live in Redis, shared by every instance of `esc serve --backend`.
 */
export interface RuleEngine {
  /** Counts an event (durably stored) against every rule it matches. */
  observe(event: ObservedEvent): void;
  setRules(rules: readonly AlertRule[]): void;
  rules(): AlertRule[];
  status(): RuleStatus[];
  close(): void;
}

export type RuleEngineFactory = (
  rules: readonly AlertRule[],
  clock: AlertClock,
  emit: (transition: AlertTransition) => void,
) => RuleEngine;
