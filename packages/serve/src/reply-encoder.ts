import { OK, type Reply } from './reply.js';
import type { ReplyWriter } from './reply-writer.js';

export type Protocol = 2 | 3;

const OK_BYTES = Buffer.from('+OK\r\n');

/**
 * Writes a Reply as RESP2 or RESP3 bytes, as Redis's networking.c does: in RESP2 a map is a flat array, a set an
 * array, a double a bulk string, a verbatim string a bulk string, a push an array, and null a null bulk (`$-1`)
 * or null array (`*-1`); RESP3 has a type for each.
 */
export function encodeReply(reply: Reply, protocol: Protocol, out: ReplyWriter): void {
  switch (reply.kind) {
    case 'simple':
      if (reply === OK) out.bytes(OK_BYTES);
      else line(out, '+', reply.value);
      return;
    case 'error':
      line(out, '-', reply.message);
      return;
    case 'integer':
      out.ascii(`:${reply.value}\r\n`);
      return;
    case 'bulk': {
      const v = reply.value;
      if (v === null) out.ascii(protocol === 3 ? '_\r\n' : '$-1\r\n');
      else if (typeof v === 'string') {
        // Short ASCII text (most stored values) is its own bytes: no byte count nor UTF-8 encoding call.
        if (v.length <= 64 && isAscii(v)) {
          out.ascii(`$${v.length}\r\n`);
          out.ascii(v);
        } else {
          const n = Buffer.byteLength(v);
          out.ascii(`$${n}\r\n`);
          out.utf8(v, n);
        }
        out.ascii('\r\n');
      } else {
        out.ascii(`$${v.length}\r\n`);
        out.bytes(v);
        out.ascii('\r\n');
      }
      return;
    }
    case 'array':
      if (reply.items === null) out.ascii(protocol === 3 ? '_\r\n' : '*-1\r\n');
      else aggregate(out, '*', reply.items, protocol);
      return;
    case 'set':
      aggregate(out, protocol === 3 ? '~' : '*', reply.items, protocol);
      return;
    case 'push':
      aggregate(out, protocol === 3 ? '>' : '*', reply.items, protocol);
      return;
    case 'map':
      out.ascii(protocol === 3 ? `%${reply.entries.length}\r\n` : `*${reply.entries.length * 2}\r\n`);
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
      } else out.ascii(`$${n}\r\n`);
      out.utf8(reply.text, n);
      out.ascii('\r\n');
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

function aggregate(out: ReplyWriter, type: string, items: readonly Reply[], protocol: Protocol): void {
  out.ascii(`${type}${items.length}\r\n`);
  for (const item of items) encodeReply(item, protocol, out);
}

/** A status or error line: CR and LF become spaces, as Redis makes sure the reply stays one line. */
function line(out: ReplyWriter, type: string, text: string): void {
  const clean = text.includes('\r') || text.includes('\n') ? text.replace(/[\r\n]/g, ' ') : text;
  out.utf8(`${type}${clean}\r\n`, Buffer.byteLength(clean) + 3);
}

/** As Redis prints doubles: `inf`, `-inf`, `nan`, else the shortest text that reads back the same. */
function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}
