/** Called once with the outcome of an Acknowledgement: `ok`, or the error that stopped the write. */
export type AckListener = (ok: boolean, err: unknown) => void;

/**
 * The acknowledgement of one store write that many replies wait on (a turn's XADDs to one stream, from up to
 * every client): its listeners are called in one loop when it settles, not as one promise reaction each. Without
 * pipelining each client's reply waits on its own `then` of the shared promise, and at 50 clients those 50
 * microtasks (and their `then`s) were ~0.3 us of a request's CPU (perf). A thenable too, so `await`,
 * `Promise.all` and AckedReply's `then` take it as a promise.
 */
export class Acknowledgement implements PromiseLike<undefined> {
  private listeners: AckListener[] = [];
  private settled = false;
  private ok = false;
  private err: unknown = null;

  /** Calls `listener` when settled: at once (in a microtask) if it is already. */
  listen(listener: AckListener): void {
    if (!this.settled) this.listeners.push(listener);
    else queueMicrotask(() => listener(this.ok, this.err));
  }

  /** Settles it (the first call only) and calls the listeners in the order they came. */
  settle(ok: boolean, err: unknown = null): void {
    if (this.settled) return;
    this.settled = true;
    this.ok = ok;
    this.err = err;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(ok, err);
  }

  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, so that `await` waits for the acknowledgement
  then<A = undefined, B = never>(
    onFulfilled?: ((value: undefined) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return new Promise<undefined>((resolve, reject) =>
      this.listen((ok, err) => (ok ? resolve(undefined) : reject(err))),
    ).then(onFulfilled, onRejected);
  }
}
