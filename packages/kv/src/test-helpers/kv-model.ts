/** The kv store's model for property tests: a plain Map of live values and their absolute expiries. */
export type Model = Map<string, { value: string; expiresAt: number | null }>;

/** The model's entry for `k` at `now`, dropping it once expired (Redis's rule: gone when the clock reaches it). */
export function live(m: Model, k: string, now: number) {
  const e = m.get(k);
  if (e && e.expiresAt !== null && e.expiresAt <= now) {
    m.delete(k);
    return undefined;
  }
  return e;
}
