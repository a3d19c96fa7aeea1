import { normaliseLevel } from '@esc/parser';
import type { NewLogEvent } from './log-event.js';
import { newEventId } from './event-id.js';

// LogStream's simulator: these levels, in about these proportions, from a few services, with metadata.
const LEVELS: [string, number][] = [
  ['INFO', 0.7],
  ['WARNING', 0.18],
  ['ERROR', 0.1],
  ['CRITICAL', 0.02],
];
const SERVICES = ['api-gateway', 'auth-service', 'payment-service', 'user-service', 'notification-service'];
const MESSAGES: Record<string, string[]> = {
  INFO: ['Request processed successfully', 'User logged in', 'Cache refreshed', 'Health check passed'],
  WARNING: ['Slow response time detected', 'Retrying request', 'Memory usage above 80%', 'Deprecated API called'],
  ERROR: ['Database connection failed', 'Payment declined by provider', 'Timeout calling upstream', 'Invalid token'],
  CRITICAL: ['Service unavailable', 'Data corruption detected', 'Disk full', 'Out of memory'],
};

/** `count` events like LogStream's simulator makes, timestamped `now`. `random` is injectable for tests. */
export function simulatedEvents(count: number, now: number, random: () => number = Math.random): NewLogEvent[] {
  const out: NewLogEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let r = random();
    let level = LEVELS[0]![0];
    for (const [name, p] of LEVELS) {
      level = name;
      if (r < p) break;
      r -= p;
    }
    const messages = MESSAGES[level]!;
    out[i] = {
      id: newEventId(),
      level: normaliseLevel(level),
      service: SERVICES[Math.floor(random() * SERVICES.length)]!,
      message: messages[Math.floor(random() * messages.length)]!,
      timestamp: now,
      receivedAt: now,
      metadata: {
        request_id: `req-${Math.floor(random() * 1e9).toString(36)}`,
        user_id: `user-${Math.floor(random() * 10_000)}`,
        duration_ms: Math.floor(random() * 2000),
        simulated: true,
      },
    };
  }
  return out;
}
