/**
 * What a command answers, independent of the protocol version: the connection's encoder writes it as RESP2 or,
 * after `HELLO 3`, RESP3 (maps, sets, doubles, nulls and pushes become arrays and bulk strings in RESP2, as
 * Redis does). Handlers build these; only the encoder knows bytes.
 */
export type Reply =
  | { readonly kind: 'simple'; readonly value: string }
  /** The whole error line after the dash, code included: `ERR syntax error`, `WRONGTYPE Operation against…`. */
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'integer'; readonly value: number | bigint }
  /** A bulk string; `null` is the RESP2 null bulk (`$-1`) and RESP3 null (`_`). */
  | { readonly kind: 'bulk'; readonly value: Buffer | string | null }
  /** An array; `null` is the RESP2 null array (`*-1`) and RESP3 null. */
  | { readonly kind: 'array'; readonly items: readonly Reply[] | null }
  /** RESP3 map; flattened to a 2n-element array in RESP2. */
  | { readonly kind: 'map'; readonly entries: readonly (readonly [Reply, Reply])[] }
  /** RESP3 set; an array in RESP2. */
  | { readonly kind: 'set'; readonly items: readonly Reply[] }
  /** RESP3 double; a bulk string in RESP2. */
  | { readonly kind: 'double'; readonly value: number }
  /** RESP3 verbatim string (`=`), e.g. INFO and CLIENT LIST; a bulk string in RESP2. */
  | { readonly kind: 'verbatim'; readonly format: 'txt' | 'mkd'; readonly text: string }
  /** RESP3 push (`>`), e.g. Pub/Sub messages; an array in RESP2. */
  | { readonly kind: 'push'; readonly items: readonly Reply[] }
  /**
   * Several top-level replies for one command, written one after the other (SUBSCRIBE a b confirms each
   * channel on its own); an empty sequence writes nothing.
   */
  | { readonly kind: 'sequence'; readonly replies: readonly Reply[] };

/** The encoder writes these two from bytes made once. */
export const OK: Reply = { kind: 'simple', value: 'OK' };
export const PONG: Reply = { kind: 'simple', value: 'PONG' };
export const NULL_BULK: Reply = { kind: 'bulk', value: null };

export const simple = (value: string): Reply => ({ kind: 'simple', value });
export const error = (message: string): Reply => ({ kind: 'error', message });
export const integer = (value: number | bigint): Reply => ({ kind: 'integer', value });
export const bulk = (value: Buffer | string | null): Reply => ({ kind: 'bulk', value });
export const array = (items: readonly Reply[] | null): Reply => ({ kind: 'array', items });
