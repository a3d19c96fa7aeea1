/**
 * Stream entry IDs as Redis makes them: `<ms>-<seq>`, two unsigned 64-bit integers (t_stream.c's streamID).
 * Bigints, because explicit IDs may use the whole range (`18446744073709551615-18446744073709551615`).
 */
export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

export const U64_MAX = 2n ** 64n - 1n;
export const MIN_ID: StreamId = { ms: 0n, seq: 0n };
export const MAX_ID: StreamId = { ms: U64_MAX, seq: U64_MAX };

export const INVALID_ID_ERROR = 'ERR Invalid stream ID specified as stream command argument';

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** The next ID (streamIncrID), or null past the last possible one. */
export function incrementId(id: StreamId): StreamId | null {
  if (id.seq < U64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms < U64_MAX) return { ms: id.ms + 1n, seq: 0n };
  return null;
}

/** The previous ID (streamDecrID), or null before 0-0. */
export function decrementId(id: StreamId): StreamId | null {
  if (id.seq > 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms > 0n) return { ms: id.ms - 1n, seq: U64_MAX };
  return null;
}

/**
 * Redis's string2ull: digits, as strtoull takes them (leading white space and a `+` allowed, leading zeros
 * too), at most 2^64-1; a minus sign is refused.
 */
export function parseU64(text: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(text);
  if (m === null) return null;
  const v = BigInt(m[1]!);
  return v <= U64_MAX ? v : null;
}

export interface ParsedId {
  id: StreamId;
  /** False for XADD's `<ms>-*` form (the sequence is to be chosen). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: `-` and `+` (unless strict), `<ms>` (seq = missingSeq) and `<ms>-<seq>`, and with
 * `allowSeqStar` XADD's `<ms>-*`. Null when invalid (the caller answers INVALID_ID_ERROR). Redis copies the
 * argument into a C string, so it stops at a NUL byte, and refuses more than 127 bytes.
 */
export function parseId(
  arg: Buffer | string,
  options: { missingSeq?: bigint; strict?: boolean; allowSeqStar?: boolean } = {},
): ParsedId | null {
  const raw = typeof arg === 'string' ? arg : arg.toString('latin1');
  if (raw.length > 127) return null;
  const nul = raw.indexOf('\0');
  const text = nul >= 0 ? raw.slice(0, nul) : raw;
  if (text === '-' || text === '+') {
    if (options.strict) return null;
    return { id: text === '-' ? MIN_ID : MAX_ID, seqGiven: true };
  }
  const dash = text.indexOf('-');
  const ms = parseU64(dash >= 0 ? text.slice(0, dash) : text);
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: options.missingSeq ?? 0n }, seqGiven: true };
  const rest = text.slice(dash + 1);
  if (options.allowSeqStar && rest === '*') return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: { ms, seq }, seqGiven: true };
}

/** A range bound: `(` makes it exclusive (then `-`/`+` are refused, as Redis's strict parse does). */
export function parseIntervalId(arg: Buffer, missingSeq: bigint): { id: StreamId; exclusive: boolean } | null {
  const exclusive = arg.length > 1 && arg[0] === 0x28;
  const parsed = exclusive ? parseId(arg.subarray(1), { missingSeq, strict: true }) : parseId(arg, { missingSeq });
  return parsed === null ? null : { id: parsed.id, exclusive };
}

/**
 * The ID of an XADD with `*`: the clock's ms, or the last ID's ms with the next sequence when the clock has
 * not moved past it (streamNextID). Null when the last possible ID was used.
 */
export function nextAutoId(last: StreamId, nowMs: number): StreamId | null {
  // Compared as they are (exact in JS): no BigInt made while the clock stays within the last ID's ms.
  if (nowMs > last.ms) return { ms: BigInt(nowMs), seq: 0n };
  return incrementId(last);
}
