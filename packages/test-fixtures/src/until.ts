/**
 * Resolves with the probe's first truthy value, polling every `intervalMs`; fails after `timeoutMs`. Tests wait
 * on servers, child processes and timers with this rather than a guessed sleep: a loaded 2-core CI machine can
 * stall a process for hundreds of milliseconds, so the deadline is generous and bounds only a failure.
 */
export async function until<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`not true within ${timeoutMs} ms: ${probe}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
