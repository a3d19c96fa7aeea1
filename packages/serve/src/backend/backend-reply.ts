import { array, bulk, error, integer, type Reply, simple } from '../reply.js';

/**
 * Commands whose nil reply is Redis's null array (`*-1`), not a null bulk string, and whose RESP3 map (stream →
 * entries) is, in RESP2, an array of [stream, entries] pairs rather than a flat array.
 */
const STREAM_READS = new Set(['xread', 'xreadgroup']);
/** Commands Redis answers with a status line (`+…`) that ioredis hands over like a bulk string. */
const STATUS_COMMANDS = new Set(['type']);

/**
 * An ioredis reply (Buffer mode, RESP3 types with replyMapping 'resp3': Buffers, numbers, nulls, arrays, maps as
 * objects) back into a Reply for esc's encoder, in the shapes Redis gives a client of `protocol`. ioredis hands a
 * status line over like a bulk string: a top-level `OK` (and TYPE's answer) is written back as a status line.
 */
export function replyFromBackend(command: string, value: unknown, protocol: 2 | 3, top = true): Reply {
  const nested = (v: unknown) => replyFromBackend(command, v, protocol, false);
  if (value === null || value === undefined) return top && STREAM_READS.has(command) ? array(null) : bulk(null);
  if (typeof value === 'number') return integer(value);
  if (Buffer.isBuffer(value)) {
    if (top && (STATUS_COMMANDS.has(command) || (value.length === 2 && value.toString('latin1') === 'OK')))
      return simple(value.toString('latin1'));
    return bulk(value);
  }
  if (typeof value === 'string') return top && value === 'OK' ? simple(value) : bulk(value);
  if (Array.isArray(value)) return array(value.map(nested));
  // An error nested in a reply (Redis sends none for these commands; kept honest rather than dropped).
  if (value instanceof Error) return error(value.message);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (top && protocol === 2 && STREAM_READS.has(command))
      return array(entries.map(([k, v]) => array([bulk(k), nested(v)])));
    return { kind: 'map', entries: entries.map(([k, v]) => [bulk(k), nested(v)] as const) };
  }
  return bulk(String(value));
}
