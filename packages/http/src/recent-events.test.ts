import { describe, expect, it } from 'vitest';
import { decodeEventText, type LogEvent } from './log-event.js';
import { RecentEvents } from './recent-events.js';

/** The stored form of event `i`: its message `pad` characters long, some with multi-byte UTF-8. */
function stored(i: number, pad: number): { id: string; value: string; receivedAt: number } {
  const text = i % 3 === 0 ? 'é€😀'.repeat(Math.ceil(pad / 4)) : 'x'.repeat(pad);
  const value = JSON.stringify({ level: 'warning', service: `s${i % 5}`, message: `m${i} ${text}`, metadata: { i } });
  return { id: `id-${i}`, value, receivedAt: 1_000 + i };
}

function expected(offset: number, s: ReturnType<typeof stored>): LogEvent {
  return decodeEventText(offset, s.id, s.value, s.receivedAt)!;
}

describe('RecentEvents', () => {
  it('holds the newest `capacity` small events, decoded as from the topic, and nothing older', () => {
    const ring = new RecentEvents(100);
    for (let i = 0; i < 350; i++) {
      const s = stored(i, 20);
      ring.put(i, s.id, s.value, s.receivedAt);
    }
    for (let i = 0; i < 350; i++) {
      if (i < 250) expect(ring.get(i)).toBeUndefined();
      else expect(ring.get(i)).toEqual(expected(i, stored(i, 20)));
    }
    expect(ring.get(350)).toBeUndefined();
    expect(ring.get(260)!.level).toBe('WARN');
    ring.dropBelow(300);
    expect(ring.get(299)).toBeUndefined();
    expect(ring.get(300)).toEqual(expected(300, stored(300, 20)));
  });

  it('with large events keeps the newest that fit its bytes, never a damaged one, and skips one too large', () => {
    const ring = new RecentEvents(50);
    const sizes: number[] = [];
    let seed = 11;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // Mostly beyond the 512 bytes an event the buffer allows on average (50 events: 25,600 bytes); now and
      // then one past a quarter of it, which the ring does not hold.
      sizes.push(i % 97 === 0 ? 9_000 : seed % 1_500);
      const s = stored(i, sizes[i]!);
      ring.put(i, s.id, s.value, s.receivedAt);
      // Every offset the ring answers for is exactly its event.
      for (let o = Math.max(0, i - 60); o <= i; o++) {
        const e = ring.get(o);
        if (e !== undefined) expect(e).toEqual(expected(o, stored(o, sizes[o]!)));
      }
      if (sizes[i]! < 9_000) expect(ring.get(i)).toBeDefined();
      else expect(ring.get(i)).toBeUndefined();
    }
  });
});
