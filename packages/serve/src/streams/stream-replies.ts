import { array, bulk, error, type Reply } from '../reply.js';
import type { Fields } from './entry-codec.js';
import { formatId, type StreamId } from './stream-id.js';

export const WRONGTYPE = error('WRONGTYPE Operation against a key holding the wrong kind of value');
export const SYNTAX_ERROR = error('ERR syntax error');
export const NOT_INTEGER = error('ERR value is not an integer or out of range');
export const EMPTY_ARRAY: Reply = array([]);
export const NULL_ARRAY: Reply = array(null);
export const ZERO: Reply = { kind: 'integer', value: 0 };

export const idReply = (id: StreamId): Reply => bulk(formatId(id));

/** One entry: `[id, [field, value, …]]`; a PEL entry whose record is gone has a null field list. */
export const entryReply = (id: StreamId, fields: Fields | null): Reply =>
  array([idReply(id), fields === null ? NULL_ARRAY : array(fields.map((f) => bulk(f)))]);

/**
 * Redis's string2ll, as getLongLongFromObjectOrReply uses it: an optional minus, no leading zeros, no `+`, no
 * white space, within a signed 64-bit integer. Returns null when the text is not such a number.
 */
export function parseInteger(arg: Buffer): bigint | null {
  const text = arg.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text) || text.length > 20) return null;
  const v = BigInt(text);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

/** A case-insensitive match of an argument against an upper-case option name. */
export function isOption(arg: Buffer | undefined, name: string): boolean {
  return arg !== undefined && arg.length === name.length && arg.toString('latin1').toUpperCase() === name;
}

/** An argument as Redis prints it inside an error message (a C string: up to the first NUL). */
export function printable(arg: Buffer | string): string {
  const text = typeof arg === 'string' ? arg : arg.toString('utf8');
  const nul = text.indexOf('\0');
  return nul >= 0 ? text.slice(0, nul) : text;
}
