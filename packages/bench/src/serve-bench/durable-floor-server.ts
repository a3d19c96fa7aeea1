// `node durable-floor-server.js PORT DIR`: the least a Node server can do for a durable write, for the serve
// bench's durable rows (docs/serve.md, "The durable floor"). It reads with esc serve's own socket path
// (readDirect), frames each RESP command and nothing more, appends the bytes it read to DIR/floor.aof, and
// answers every command `+OK` after one fdatasync per event-loop turn: Redis's `appendfsync always` group
// commit without a parser, a dispatch, a keyspace or a journal encoding. Whatever esc serve adds costs on top
// of this. With a third argument `preallocated` the file is written full of zeros and synced ahead of the
// writes, which then land in place: an fdatasync without a size or an allocation to record is one disk write
// instead of two on this ext4 (docs/serve.md, "The durable floor"). Prints `ready` on stderr, stops on SIGTERM.
import { closeSync, fdatasyncSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { readDirect } from '@esc/serve';

const port = Number(process.argv[2]);
const preallocated = process.argv[4] === 'preallocated';
const fd = openSync(`${process.argv[3]}/floor.aof`, preallocated ? 'w+' : 'a');
/** Where the next write lands, and the zeroed end of the file (preallocated only). */
let position = 0;
let zeroedTo = 0;
const ZEROS = Buffer.alloc(1 << 20);

/** Extends the zeroed part of the file by 64 MiB, synced, so that writes up to it change no metadata. */
function preallocate(): void {
  for (let i = 0; i < 64; i++) zeroedTo += writeSync(fd, ZEROS, 0, ZEROS.length, zeroedTo);
  fsyncSync(fd);
}
if (preallocated) preallocate();
const OK = Buffer.from('+OK\r\n');
/** CONFIG GET (redis-benchmark asks for two settings at start) gets one empty setting. */
const EMPTY = Buffer.from('*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
const CONFIG = Buffer.from('config');

/** Whether buf[at, at + 6) spells CONFIG in any case. */
function isConfigAt(buf: Buffer, at: number): boolean {
  for (let i = 0; i < 6; i++) if ((buf[at + i]! | 0x20) !== CONFIG[i]) return false;
  return true;
}

/** The bytes read this turn and, per connection, its replies in order: written after the turn's fdatasync. */
let written: Buffer[] = [];
let waiting = new Map<Socket, Buffer[]>();
let flushing = false;

function flush(): void {
  flushing = false;
  const bytes = written;
  const replies = waiting;
  written = [];
  waiting = new Map();
  const data = bytes.length === 1 ? bytes[0]! : Buffer.concat(bytes);
  if (preallocated) {
    while (position + data.length > zeroedTo) preallocate();
    position += writeSync(fd, data, 0, data.length, position);
  } else writeSync(fd, data);
  fdatasyncSync(fd);
  for (const [socket, out] of replies) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
}

/** Index after the `\r\n` that ends the line starting at `at`, or -1 when the line is not all here. */
function lineEnd(buf: Buffer, at: number): number {
  const cr = buf.indexOf(13, at);
  return cr < 0 || cr + 1 >= buf.length ? -1 : cr + 2;
}

/** The decimal number in buf[from, to). */
function decimal(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + buf[i]! - 48;
  return n;
}

/** Index after the complete command at `at` (multibulk only, as clients send), or -1 when it is cut short. */
function commandEnd(buf: Buffer, at: number): [end: number, isConfig: boolean] {
  let p = lineEnd(buf, at);
  if (p < 0) return [-1, false];
  const argc = decimal(buf, at + 1, p - 2);
  let isConfig = false;
  for (let i = 0; i < argc; i++) {
    const next = lineEnd(buf, p);
    if (next < 0) return [-1, false];
    const len = decimal(buf, p + 1, next - 2);
    if (i === 0) isConfig = len === 6 && next + 6 <= buf.length && isConfigAt(buf, next);
    p = next + len + 2;
    if (p > buf.length) return [-1, false];
  }
  return [p, isConfig];
}

const server = createServer({ pauseOnConnect: true, noDelay: true }, (accepted) => {
  let carry: Buffer | null = null;
  const socket = readDirect(accepted, (chunk) => {
    const buf = carry === null ? chunk : Buffer.concat([carry, chunk]);
    let at = 0;
    let out = waiting.get(socket);
    for (;;) {
      const [end, isConfig] = at < buf.length ? commandEnd(buf, at) : [-1, false];
      if (end < 0) break;
      if (out === undefined) waiting.set(socket, (out = []));
      out.push(isConfig ? EMPTY : OK);
      at = end;
    }
    if (at > 0) written.push(buf.subarray(0, at));
    carry = at < buf.length ? Buffer.from(buf.subarray(at)) : null;
    if (at > 0 && !flushing) {
      flushing = true;
      setImmediate(flush);
    }
  });
  socket.on('error', () => socket.destroy());
});

server.listen(port, '127.0.0.1', () => process.stderr.write('ready\n'));
process.once('SIGTERM', () => {
  server.close();
  closeSync(fd);
  process.exit(0);
});
