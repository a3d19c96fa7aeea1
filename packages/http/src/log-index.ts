import type { LogEvent } from './log-event.js';
import { OffsetList } from './offset-list.js';

/** Offsets per time block: the block's smallest and largest event time let a time-range query skip it. */
const BLOCK_SHIFT = 10;
const NO_EVENT = 255;
const MAX_LEVELS = 255;

/**
 * The in-memory indexes over the topic's events, rebuilt from the topic at start-up: per offset the level,
 * the service and the event time in typed arrays (13 bytes an event); per level and per service a sorted
 * offset list; per block of 1,024 offsets the range of event times. A query walks the shortest list and checks
 * the other conditions in the per-offset arrays, so it reads from the topic only the events it returns (and,
 * for `q`, the candidates it tests). Nothing of an event's text is held here.
 */
export class LogIndex {
  /** The first offset the per-offset arrays cover. */
  base = -1;
  /** Offsets covered: base .. base + size - 1. */
  private size = 0;
  private levelOf = new Uint8Array(1024);
  private serviceOf = new Uint32Array(1024);
  private timeOf = new Float64Array(1024);
  private blockMin = new Float64Array(16);
  private blockMax = new Float64Array(16);
  private readonly levelIds = new Map<string, number>();
  readonly levelNames: string[] = [];
  readonly levelLists: OffsetList[] = [];
  private readonly serviceIds = new Map<string, number>();
  readonly serviceNames: string[] = [];
  readonly serviceLists: OffsetList[] = [];
  /** Events indexed (not counting offsets that held other records). */
  count = 0;

  /** The offset after the last one covered. */
  get end(): number {
    return this.base < 0 ? 0 : this.base + this.size;
  }

  add(e: Pick<LogEvent, 'offset' | 'level' | 'service' | 'timestamp'>): void {
    const slot = this.slotFor(e.offset);
    let level = this.levelIds.get(e.level);
    if (level === undefined) {
      // A client inventing levels is folded into OTHER past 254 names: the per-offset array stays one byte.
      if (this.levelNames.length >= MAX_LEVELS - 1) level = this.levelId('OTHER');
      else level = this.levelId(e.level);
    }
    let service = this.serviceIds.get(e.service);
    if (service === undefined) {
      service = this.serviceNames.length;
      this.serviceIds.set(e.service, service);
      this.serviceNames.push(e.service);
      this.serviceLists.push(new OffsetList());
    }
    if (this.levelOf[slot] === NO_EVENT) this.count++;
    this.levelOf[slot] = level;
    this.serviceOf[slot] = service;
    this.timeOf[slot] = e.timestamp;
    this.levelLists[level]!.push(e.offset);
    this.serviceLists[service]!.push(e.offset);
    const b = slot >> BLOCK_SHIFT;
    if (e.timestamp < this.blockMin[b]!) this.blockMin[b] = e.timestamp;
    if (e.timestamp > this.blockMax[b]!) this.blockMax[b] = e.timestamp;
  }

  /** Marks an offset that holds no event (a record another writer put in the topic). */
  skip(offset: number): void {
    this.slotFor(offset);
  }

  private levelId(name: string): number {
    let id = this.levelIds.get(name);
    if (id === undefined) {
      id = this.levelNames.length;
      this.levelIds.set(name, id);
      this.levelNames.push(name);
      this.levelLists.push(new OffsetList());
    }
    return id;
  }

  levelList(level: string): OffsetList | undefined {
    const id = this.levelIds.get(level);
    return id === undefined ? undefined : this.levelLists[id];
  }

  serviceList(service: string): OffsetList | undefined {
    const id = this.serviceIds.get(service);
    return id === undefined ? undefined : this.serviceLists[id];
  }

  /** Whether the offset holds an event matching these conditions (undefined: any). */
  matches(
    offset: number,
    levelId: number | undefined,
    serviceId: number | undefined,
    since: number,
    until: number,
  ): boolean {
    const slot = offset - this.base;
    if (slot < 0 || slot >= this.size) return false;
    const level = this.levelOf[slot]!;
    if (level === NO_EVENT) return false;
    if (levelId !== undefined && level !== levelId) return false;
    if (serviceId !== undefined && this.serviceOf[slot] !== serviceId) return false;
    const t = this.timeOf[slot]!;
    return t >= since && t <= until;
  }

  levelIdOf(level: string): number | undefined {
    return this.levelIds.get(level);
  }

  serviceIdOf(service: string): number | undefined {
    return this.serviceIds.get(service);
  }

  /**
   * Whether the time block holding `offset` may hold an event in [since, until]; if not, the first offset of
   * that block, below which the caller goes on.
   */
  blockStartIfOutside(offset: number, since: number, until: number): number | null {
    const slot = offset - this.base;
    if (slot < 0 || slot >= this.size) return null;
    const b = slot >> BLOCK_SHIFT;
    if (this.blockMax[b]! < since || this.blockMin[b]! > until) return this.base + (b << BLOCK_SHIFT);
    return null;
  }

  /** Events at offsets from `offset` on (those below were deleted by retention): a scan of one byte an offset. */
  countFrom(offset: number): number {
    if (offset <= this.base || this.base < 0) return this.count;
    let gone = 0;
    for (let slot = 0, end = Math.min(offset - this.base, this.size); slot < end; slot++)
      if (this.levelOf[slot] !== NO_EVENT) gone++;
    return this.count - gone;
  }

  /** Bytes held by the index's arrays (for /stats). */
  get bytes(): number {
    let n =
      this.levelOf.byteLength +
      this.serviceOf.byteLength +
      this.timeOf.byteLength +
      this.blockMin.byteLength +
      this.blockMax.byteLength;
    for (const l of this.levelLists) n += l.bytes;
    for (const l of this.serviceLists) n += l.bytes;
    return n;
  }

  /** Events per level, for /stats and the metrics. */
  levelCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    this.levelNames.forEach((name, i) => {
      out[name] = this.levelLists[i]!.length;
    });
    return out;
  }

  private slotFor(offset: number): number {
    if (this.base < 0) this.base = offset;
    const slot = offset - this.base;
    if (slot < 0) throw new RangeError(`offset ${offset} is below the index's base ${this.base}`);
    if (slot >= this.size) {
      this.ensure(slot + 1);
      this.levelOf.fill(NO_EVENT, this.size, slot + 1);
      const firstNewBlock = (this.size + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT;
      const lastBlock = slot >> BLOCK_SHIFT;
      for (let b = firstNewBlock; b <= lastBlock; b++) {
        this.blockMin[b] = Number.POSITIVE_INFINITY;
        this.blockMax[b] = Number.NEGATIVE_INFINITY;
      }
      this.size = slot + 1;
    }
    return slot;
  }

  private ensure(size: number): void {
    if (size <= this.levelOf.length) return;
    let cap = this.levelOf.length;
    while (cap < size) cap *= 2;
    this.levelOf = grow(this.levelOf, new Uint8Array(cap));
    this.serviceOf = grow(this.serviceOf, new Uint32Array(cap));
    this.timeOf = grow(this.timeOf, new Float64Array(cap));
    const blocks = (cap >> BLOCK_SHIFT) + 1;
    if (blocks > this.blockMin.length) {
      this.blockMin = grow(this.blockMin, new Float64Array(blocks));
      this.blockMax = grow(this.blockMax, new Float64Array(blocks));
    }
  }
}

function grow<T extends Uint8Array | Uint32Array | Float64Array>(old: T, bigger: T): T {
  bigger.set(old as never);
  return bigger;
}
