import { OK, PONG, type Reply } from './reply.js';
import type { ReplyWriter } from './reply-writer.js';

export type Protocol = 2 | 3;

const OK_BYTES = Buffer.from('+OK\r\n');
const PONG_BYTES = Buffer.from('+PONG\r\n');
const NULL_BULK_BYTES = Buffer.from('$-1\r\n');
const NULL_ARRAY_BYTES = Buffer.from('*-1\r\n');
const NULL_BYTES = Buffer.from('_\r\n');
const DOLLAR = 0x24;
const STAR = 0x2a;

/**
 * Writes a Reply as RESP2 or RESP3 bytes, as Redis's networking.c does: in RESP2 a map is a flat array, a set an
 * array, a double a bulk string, a verbatim string a bulk string, a push an array, and null a null bulk (`$-1`)
 * or null array (`*-1`); RESP3 has a type for each.
 */
export function encodeReply(reply: Reply, protocol: Protocol, out: ReplyWriter): void {
  switch (reply.kind) {
    case 'simple':
      if (reply === OK) out.bytes(OK_BYTES);
      else if (reply === PONG) out.bytes(PONG_BYTES);
      else line(out, 0x2b, reply.value);
      return;
    case 'error':
      line(out, 0x2d, reply.message);
      return;
    case 'integer':
      if (Number.isSafeInteger(reply.value)) out.header(0x3a, reply.value as number);
      else out.ascii(`:${reply.value}\r\n`);
      return;
    case 'bulk': {
      const v = reply.value;
      if (v === null) out.bytes(protocol === 3 ? NULL_BYTES : NULL_BULK_BYTES);
      else if (typeof v === 'string') {
        // Short ASCII text (most stored values) is its own bytes: no byte count nor UTF-8 encoding call.
        if (v.length <= 64 && isAscii(v)) {
          out.header(DOLLAR, v.length);
          out.ascii(v);
        } else {
          const n = Buffer.byteLength(v);
          out.header(DOLLAR, n);
          out.utf8(v, n);
        }
        out.crlf();
      } else {
        out.header(DOLLAR, v.length);
        out.bytes(v);
        out.crlf();
      }
      return;
    }
    case 'array':
      if (reply.items === null) out.bytes(protocol === 3 ? NULL_BYTES : NULL_ARRAY_BYTES);
      else aggregate(out, STAR, reply.items, protocol);
      return;
    case 'set':
      aggregate(out, protocol === 3 ? 0x7e : STAR, reply.items, protocol);
      return;
    case 'push':
      aggregate(out, protocol === 3 ? 0x3e : STAR, reply.items, protocol);
      return;
    case 'map':
      if (protocol === 3) out.header(0x25, reply.entries.length);
      else out.header(STAR, reply.entries.length * 2);
      for (const [k, v] of reply.entries) {
        encodeReply(k, protocol, out);
        encodeReply(v, protocol, out);
      }
      return;
    case 'double': {
      const text = formatDouble(reply.value);
      if (protocol === 3) out.ascii(`,${text}\r\n`);
      else out.ascii(`$${text.length}\r\n${text}\r\n`);
      return;
    }
    case 'verbatim': {
      const n = Buffer.byteLength(reply.text);
      if (protocol === 3) {
        out.ascii(`=${n + 4}\r\n${reply.format}:`);
      } else out.header(DOLLAR, n);
      out.utf8(reply.text, n);
      out.crlf();
      return;
    }
    case 'sequence':
      for (const r of reply.replies) encodeReply(r, protocol, out);
      return;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function aggregate(out: ReplyWriter, type: number, items: readonly Reply[], protocol: Protocol): void {
  out.header(type, items.length);
  for (let i = 0; i < items.length; i++) encodeReply(items[i]!, protocol, out);
}

/** A status or error line: CR and LF become spaces, as Redis makes sure the reply stays one line. */
function line(out: ReplyWriter, type: number, text: string): void {
  if (text.length <= 64 && isPlainLine(text)) {
    out.byte(type);
    out.ascii(text);
    out.crlf();
    return;
  }
  const clean = text.includes('\r') || text.includes('\n') ? text.replace(/[\r\n]/g, ' ') : text;
  out.byte(type);
  out.utf8(`${clean}\r\n`, Buffer.byteLength(clean) + 2);
}

/** ASCII without CR or LF: written as it is, char by char. */
function isPlainLine(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f || c === 13 || c === 10) return false;
  }
  return true;
}

/** As Redis prints doubles: `inf`, `-inf`, `nan`, else the shortest text that reads back the same. */
function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}
