import { PlsProtocolError } from './pls-frame.js';

/** A frame's body read as one of PyLogStreams' commands (docs/formats/pls-protocol.md). */
export type PlsCommand =
  | { kind: 'REG' }
  | { kind: 'CID'; clientId: string }
  | { kind: 'SUB'; topic: string }
  | { kind: 'SET'; topic: string; offset: number }
  | { kind: 'PUB'; topic: string; payload: Buffer }
  | { kind: 'PNG'; token: string | null };

/** Client ids and PNG tokens: printable ASCII without spaces, so they log and frame unambiguously. */
const MAX_TOKEN_BYTES = 255;
const SPACE = 0x20;
const P = 0x50;
const U = 0x55;
const B = 0x42;

/**
 * Parses a frame body. The command is the first three bytes, then a space or the end of the frame (the original
 * client sends `REG ` and `PNG ` with a trailing space; both forms are read). Anything else is a protocol error:
 * the connection is closed, since a stream that does not parse cannot be trusted to be framed right either.
 */
export function parseCommand(body: Buffer, topics: TopicNameCache = new TopicNameCache()): PlsCommand {
  if (body.length < 3) throw new PlsProtocolError(`frame of ${body.length} byte(s) is too short for a command`);
  if (body.length > 3 && body[3] !== SPACE) throw new PlsProtocolError(`unknown command '${printable(body, 8)}'`);
  // PUB, nearly every frame, is told by its bytes: no string made of its name per frame.
  if (body[0] === P && body[1] === U && body[2] === B) {
    const space = spaceAfter(body, 4);
    if (space < 0) throw new PlsProtocolError('PUB needs a topic, a space and a payload');
    return { kind: 'PUB', topic: topics.name(body, 4, space), payload: body.subarray(space + 1) };
  }
  const name = body.toString('latin1', 0, 3);
  switch (name) {
    case 'PNG':
      return { kind: 'PNG', token: body.length <= 4 ? null : token(body, 4, 'PNG token') };
    case 'REG':
      return { kind: 'REG' };
    case 'CID':
      return { kind: 'CID', clientId: token(body, 4, 'client id') };
    case 'SUB':
      return { kind: 'SUB', topic: token(body, 4, 'SUB topic') };
    case 'SET': {
      const space = spaceAfter(body, 4);
      if (space < 0) throw new PlsProtocolError('SET needs a topic and an offset');
      const text = body.toString('latin1', space + 1);
      const offset = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(offset) || offset < -1)
        throw new PlsProtocolError(`SET offset '${printable(body.subarray(space + 1), 24)}' is not -1 or an offset`);
      return { kind: 'SET', topic: token(body.subarray(0, space), 4, 'SET topic'), offset };
    }
    default:
      throw new PlsProtocolError(`unknown command '${printable(body, 8)}'`);
  }
}

/** The first space at or after `from`, or -1. A loop: a topic is short, and Buffer.indexOf's argument checks cost more. */
function spaceAfter(body: Buffer, from: number): number {
  for (let i = from; i < body.length; i++) if (body[i] === SPACE) return i;
  return -1;
}

function token(body: Buffer, from: number, what: string): string {
  if (from >= body.length) throw new PlsProtocolError(`${what} is missing`);
  if (body.length - from > MAX_TOKEN_BYTES)
    throw new PlsProtocolError(`${what} is longer than ${MAX_TOKEN_BYTES} bytes`);
  for (let i = from; i < body.length; i++) {
    const c = body[i]!;
    if (c <= SPACE || c >= 0x7f)
      throw new PlsProtocolError(
        `${what} '${printable(body.subarray(from), 24)}' has a byte that is not printable ASCII`,
      );
  }
  return body.toString('latin1', from);
}

/** A short, log-safe rendering of untrusted bytes. */
function printable(bytes: Buffer, max: number): string {
  let out = '';
  for (let i = 0; i < Math.min(bytes.length, max); i++) {
    const c = bytes[i]!;
    out += c > SPACE && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…` : out;
}

/**
 * The topic of a connection's last PUB, so a producer sending to one topic pays a byte comparison per message
 * instead of a new string.
 */
export class TopicNameCache {
  private bytes: Buffer = Buffer.alloc(0);
  private text = '';

  name(body: Buffer, from: number, to: number): string {
    const bytes = this.bytes;
    if (to - from === bytes.length) {
      let i = 0;
      while (i < bytes.length && body[from + i] === bytes[i]) i++;
      if (i === bytes.length) return this.text;
    }
    this.bytes = Buffer.from(body.subarray(from, to));
    this.text = body.toString('latin1', from, to);
    return this.text;
  }
}
