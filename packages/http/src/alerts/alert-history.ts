import type { AlertTransition } from './alert-engine.js';

/** A notification as kept and served: the transition with its place in the server's history. */
export type AlertRecord = AlertTransition & { seq: number };

/** The last `limit` notifications in memory (a ring), for GET /alerts and stream clients catching up. */
export class AlertHistory {
  private readonly ring: (AlertRecord | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly limit: number) {
    this.ring = new Array(limit);
  }

  push(record: AlertRecord): void {
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.limit;
    if (this.size < this.limit) this.size++;
  }

  /** Newest first. */
  newestFirst(): AlertRecord[] {
    const out: AlertRecord[] = [];
    for (let i = 1; i <= this.size; i++) out.push(this.ring[(this.next - i + this.limit) % this.limit]!);
    return out;
  }

  /** The highest seq kept (0 when empty). */
  lastSeq(): number {
    return this.size === 0 ? 0 : this.ring[(this.next - 1 + this.limit) % this.limit]!.seq;
  }
}
