/** Server time and timers for the alert engine; tests inject a manual one. */
export interface AlertClock {
  now(): number;
  /** Calls `fn` after `ms`; the handle goes to clearTimer. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Wall-clock time; timers never keep the process alive on their own. */
export const systemClock: AlertClock = {
  now: Date.now,
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
