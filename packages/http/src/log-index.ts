import type { LogEvent } from './log-event.js';
import { OffsetList } from './offset-list.js';

/** What the index keeps of an event. */
type IndexedEvent = Pick<LogEvent, 'offset' | 'level' | 'service' | 'timestamp'>;

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
  /** Events indexed (not counting offsets that held other records, nor those below `start`). */
  count = 0;
  /** The lowest offset still in the log (dropBelow moves it up when retention deletes). */
  private start = 0;

  /** The offset after the last one covered. */
  get end(): number {
    return this.base < 0 ? 0 : this.base + this.size;
  }

  add(e: IndexedEvent): void {
    this.addAll([e]);
  }

  /**
   * Indexes the events of one append (any order, usually ascending): the per-offset arrays are extended once
   * for the whole append, and a run of events of one level or service finds its id without a map lookup.
   */
  addAll(events: readonly IndexedEvent[]): void {
    let highest = -1;
    for (const e of events) if (e.offset >= this.start && e.offset > highest) highest = e.offset;
    if (highest < 0) return;
    if (this.base < 0) this.slotFor(events[0]!.offset >= this.start ? events[0]!.offset : highest);
    this.slotFor(highest);
    let lastLevel: string | undefined;
    let level = 0;
    let lastService: string | undefined;
    let service = 0;
    for (const e of events) {
      // Retention may have deleted an event's segment before its append came back (a tiny retention.bytes).
      if (e.offset < this.start) continue;
      const slot = e.offset - this.base;
      if (slot < 0) throw new RangeError(`offset ${e.offset} is below the index's base ${this.base}`);
      if (e.level !== lastLevel) {
        level = this.levelIdFor(e.level);
        lastLevel = e.level;
      }
      if (e.service !== lastService) {
        service = this.serviceIdFor(e.service);
        lastService = e.service;
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
  }

  /** A level's id, a new one for a new name (past 254 names, OTHER's: the per-offset array stays one byte). */
  private levelIdFor(name: string): number {
    const id = this.levelIds.get(name);
    if (id !== undefined) return id;
    return this.levelId(this.levelNames.length >= MAX_LEVELS - 1 ? 'OTHER' : name);
  }

  private serviceIdFor(name: string): number {
    return nameId(this.serviceIds, this.serviceNames, this.serviceLists, name);
  }

  /** Marks an offset that holds no event (a record another writer put in the topic). */
  skip(offset: number): void {
    if (offset >= this.start) this.slotFor(offset);
  }

  private levelId(name: string): number {
    return nameId(this.levelIds, this.levelNames, this.levelLists, name);
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

  /**
   * Forgets the events below `offset`, the log start retention moved up: they leave the counts and the offset
   * lists, and the per-offset arrays drop their memory by whole time blocks (so the blocks stay aligned).
   */
  dropBelow(offset: number): void {
    if (this.base < 0 || offset <= this.start) return;
    const end = Math.min(offset, this.end);
    for (let slot = this.start - this.base; slot < end - this.base; slot++)
      if (this.levelOf[slot] !== NO_EVENT) {
        this.levelOf[slot] = NO_EVENT;
        this.count--;
      }
    this.start = offset;
    for (const l of this.levelLists) l.dropBelow(offset);
    for (const l of this.serviceLists) l.dropBelow(offset);
    const blocks = (end - this.base) >> BLOCK_SHIFT;
    if (blocks === 0) return;
    const shift = blocks << BLOCK_SHIFT;
    this.levelOf.copyWithin(0, shift, this.size);
    this.serviceOf.copyWithin(0, shift, this.size);
    this.timeOf.copyWithin(0, shift, this.size);
    const usedBlocks = (this.size + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT;
    this.blockMin.copyWithin(0, blocks, usedBlocks);
    this.blockMax.copyWithin(0, blocks, usedBlocks);
    this.base += shift;
    this.size -= shift;
    if (this.levelOf.length >= 4 * Math.max(this.size, 1024)) this.resize(Math.max(1024, 2 * this.size));
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

  /** Events per level (levels with none left out), for /stats. */
  levelCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    this.levelNames.forEach((name, i) => {
      const n = this.levelLists[i]!.length;
      if (n > 0) out[name] = n;
    });
    return out;
  }

  /** Services with at least one event. */
  serviceCount(): number {
    let n = 0;
    for (const l of this.serviceLists) if (l.length > 0) n++;
    return n;
  }

  private slotFor(offset: number): number {
    if (this.base < 0) this.base = this.start = offset;
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
    this.resize(cap);
  }

  /** New per-offset arrays of `cap` slots (at least `size`), the covered part copied. */
  private resize(cap: number): void {
    this.levelOf = copied(this.levelOf, new Uint8Array(cap), this.size);
    this.serviceOf = copied(this.serviceOf, new Uint32Array(cap), this.size);
    this.timeOf = copied(this.timeOf, new Float64Array(cap), this.size);
    const blocks = (cap >> BLOCK_SHIFT) + 1;
    const used = (this.size + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT;
    this.blockMin = copied(this.blockMin, new Float64Array(blocks), used);
    this.blockMax = copied(this.blockMax, new Float64Array(blocks), used);
  }
}

/** A name's id in one of the index's tables (levels, services): a new id and offset list for a new name. */
function nameId(ids: Map<string, number>, names: string[], lists: OffsetList[], name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = names.length;
    ids.set(name, id);
    names.push(name);
    lists.push(new OffsetList());
  }
  return id;
}

function copied<T extends Uint8Array | Uint32Array | Float64Array>(old: T, fresh: T, n: number): T {
  fresh.set(old.subarray(0, n) as never);
  return fresh;
}
