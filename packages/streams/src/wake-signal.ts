/**
 * The wait at the end of a followed log: `wait` resolves when `wake` is called (a record landed, the consumer was
 * aborted) or, given a timeout, when that long passed first (true). One waiter at a time; a `wake` with nobody
 * waiting is dropped, so callers check their own state (new records, abort) before they wait.
 */
export class WakeSignal {
  private waiter: (() => void) | null = null;

  readonly wake = (): void => {
    this.waiter?.();
  };

  /** True when `timeoutMs` passed without a wake. */
  wait(timeoutMs?: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.settle(resolve, true), timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        this.settle(resolve, false);
      };
    });
  }

  private settle(resolve: (timedOut: boolean) => void, timedOut: boolean): void {
    this.waiter = null;
    resolve(timedOut);
  }
}
