import { connect } from 'node:net';

/** Commands per chunk; each chunk ends with a PING, and at most WINDOW chunks are in flight. */
const CHUNK = 2_000;
const WINDOW = 4;
const PONG = Buffer.from('+PONG\r\n');

/** One command in RESP's multibulk form. */
export function respCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Sends `count` commands (`command(i)`) over one connection, pipelined as a bulk loader does: chunks of CHUNK
 * commands, each followed by a PING, with at most WINDOW chunks awaiting their replies (replies keep request
 * order, so a chunk's PONG means its replies are in). Resolves after the last PONG. The replies themselves are
 * not read: the caller checks the result (XLEN, DBSIZE).
 */
export function fillPipelined(port: number, count: number, command: (i: number) => Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = Math.ceil(count / CHUNK);
    let pongs = 0;
    let wake: (() => void) | null = null;
    // The end of the previous read, so a PONG split between two reads is still counted.
    let carry = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      const data = Buffer.concat([carry, d]);
      for (let at = data.indexOf(PONG); at >= 0; at = data.indexOf(PONG, at + PONG.length)) pongs++;
      carry = data.subarray(Math.max(0, data.length - (PONG.length - 1)));
      wake?.();
      if (pongs === chunks) {
        socket.end();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      const ping = respCommand(['PING']);
      for (let c = 0; c < chunks; c++) {
        while (c - pongs >= WINDOW) await new Promise<void>((r) => (wake = r));
        wake = null;
        const batch: Buffer[] = [];
        for (let i = c * CHUNK; i < Math.min(count, (c + 1) * CHUNK); i++) batch.push(command(i));
        batch.push(ping);
        socket.write(Buffer.concat(batch));
      }
    });
  });
}
