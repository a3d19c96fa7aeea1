import { describe, expect, it } from 'vitest';
import { newEventId } from './event-id.js';

describe('newEventId', () => {
  it('makes version 4 UUIDs in the form crypto.randomUUID gives, all different', () => {
    const seen = new Set<string>();
    // More than one pool of random bytes, so refills are crossed.
    for (let i = 0; i < 2000; i++) {
      const id = newEventId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
  });

  it('spreads its hex digits evenly (no position stuck)', () => {
    const counts = Array.from({ length: 36 }, () => new Map<string, number>());
    for (let i = 0; i < 4000; i++) {
      const id = newEventId();
      for (let k = 0; k < 36; k++) counts[k]!.set(id[k]!, (counts[k]!.get(id[k]!) ?? 0) + 1);
    }
    // Every fully random position takes all 16 digits over 4,000 ids (each missing has odds of ~1e-112).
    for (const k of [0, 9, 15, 20, 35]) expect(counts[k]!.size).toBe(16);
  });
});
