import { describe, expect, it } from 'vitest';
import type { ParsedCommand } from './parsed-command.js';
import { type CommandSink, type ProtocolError, RespParser } from './resp-parser.js';

const LIMITS = { maxBulkLength: 512 * 1024 * 1024, maxQueryBuffer: 1024 * 1024 * 1024 };

class Collect implements CommandSink {
  commands: string[][] = [];
  auth = false;
  command(command: ParsedCommand): void {
    this.commands.push(command.args().map((a) => a.toString('latin1')));
  }
  authRequired(): boolean {
    return this.auth;
  }
}

/** Feeds `input` in the given piece sizes (cycled); the commands and the first error. */
function parse(input: Buffer | string, sizes: number[] = [input.length], limits = LIMITS, sink = new Collect()) {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1');
  const parser = new RespParser(limits);
  let error: ProtocolError | null = null;
  for (let at = 0, i = 0; at < bytes.length && error === null; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    // A copy, so no test passes because a view happened to share memory with the next piece.
    error = parser.feed(Buffer.from(bytes.subarray(at, at + n)), sink);
    at += n;
  }
  return { commands: sink.commands, error: error?.message };
}

function multibulk(args: (string | Buffer)[]): Buffer {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A small deterministic PRNG, so a failing random case can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RespParser', () => {
  it('reads multibulk commands, pipelined', () => {
    const input = Buffer.concat([multibulk(['SET', 'k', 'v']), multibulk(['GET', 'k']), multibulk(['PING'])]);
    expect(parse(input)).toEqual({ commands: [['SET', 'k', 'v'], ['GET', 'k'], ['PING']], error: undefined });
  });

  it('gives the same commands fed byte by byte and in random pieces', () => {
    const random = prng(7);
    const commands: string[][] = [];
    const pieces: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const args = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        String.fromCharCode(...Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256))),
      );
      commands.push(args);
      pieces.push(multibulk(args));
      if (random() < 0.2) {
        pieces.push(Buffer.from('ECHO "inline \\x41" \'b c\'\r\n'));
        commands.push(['ECHO', 'inline A', 'b c']);
      }
    }
    const input = Buffer.concat(pieces);
    expect(parse(input, [1]).commands).toEqual(commands);
    for (const seed of [1, 2, 3]) {
      const r = prng(seed);
      const sizes = Array.from({ length: 97 }, () => 1 + Math.floor(r() * 300));
      expect(parse(input, sizes)).toEqual({ commands, error: undefined });
    }
  });

  it('gives arguments as Buffers that own none of the chunk beyond their bytes', () => {
    const got: (readonly Buffer[])[] = [];
    const parser = new RespParser(LIMITS);
    parser.feed(Buffer.concat([Buffer.from('xx'), multibulk(['GET', 'key'])]).subarray(2), {
      command: (command) => got.push(command.args()),
      authRequired: () => false,
    });
    const [name, key] = got[0]!;
    expect(Buffer.isBuffer(key)).toBe(true);
    expect(key instanceof Buffer).toBe(true);
    expect([name!.toString(), key!.toString('latin1'), key!.length, key!.equals(Buffer.from('key'))]).toEqual([
      'GET',
      'key',
      3,
      true,
    ]);
    expect(Buffer.from(key!)).toEqual(Buffer.from('key'));
    expect(key!.subarray(1).toString()).toBe('ey');
  });

  it('gives a command read from one chunk as spans of it, one spread over chunks as Buffers, the same bytes', () => {
    const args = ['MSET', 'key:1', 'a', 'k2', Buffer.from([0, 13, 10, 255]), 'k3', ''];
    const input = multibulk(args);
    const expected = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1')));
    // Whole; cut inside an argument; cut right after one (the parser lets go of a chunk it read to its end).
    const cut = input.indexOf('k2') - 4;
    for (const pieces of [
      [input],
      [input.subarray(0, 20), input.subarray(20)],
      [input.subarray(0, cut), input.subarray(cut)],
    ]) {
      const seen: { inPlace: boolean; spans: Buffer[]; args: Buffer[]; each: Buffer[] }[] = [];
      const parser = new RespParser(LIMITS);
      const sink: CommandSink = {
        command: (c) =>
          seen.push({
            inPlace: c.inPlace,
            spans: c.inPlace ? expected.map((_, i) => Buffer.from(c.bytes.subarray(c.start(i), c.end(i)))) : [],
            args: c.args().map((a) => Buffer.from(a)),
            each: expected.map((_, i) => Buffer.from(c.arg(i))),
          }),
        authRequired: () => false,
      };
      for (const p of pieces) expect(parser.feed(Buffer.from(p), sink)).toBeNull();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.inPlace).toBe(pieces.length === 1);
      expect(seen[0]!.args).toEqual(expected);
      expect(seen[0]!.each).toEqual(expected);
      if (pieces.length === 1) expect(seen[0]!.spans).toEqual(expected);
    }
  });

  it('makes the name one Buffer however often it is asked for, and the arguments once', () => {
    const parser = new RespParser(LIMITS);
    const same: boolean[] = [];
    parser.feed(multibulk(['SET', 'k', 'v']), {
      command: (c) => {
        const name = c.arg(0);
        const args = c.args();
        same.push(c.arg(0) === name, args[0] === name, c.args() === args, c.arg(1) === args[1]);
      },
      authRequired: () => false,
    });
    expect(same).toEqual([true, true, true, true]);
  });

  it('keeps the Buffers of a command valid after the parser has gone on to the next', () => {
    const kept: (readonly Buffer[])[] = [];
    const parser = new RespParser(LIMITS);
    const sink: CommandSink = { command: (c) => kept.push(c.args()), authRequired: () => false };
    parser.feed(Buffer.concat([multibulk(['SET', 'a', '1']), multibulk(['SET', 'bb', '22'])]), sink);
    parser.feed(multibulk(['DEL', 'ccc']), sink);
    expect(kept.map((args) => args.map((a) => a.toString()))).toEqual([
      ['SET', 'a', '1'],
      ['SET', 'bb', '22'],
      ['DEL', 'ccc'],
    ]);
  });

  it('reads a command of more arguments than it keeps spans for', () => {
    const args = Array.from({ length: 2501 }, (_, i) => (i === 0 ? 'MSET' : `k${i}`));
    expect(parse(multibulk(args)).commands).toEqual([args]);
    expect(parse(multibulk(args), [7, 1000]).commands).toEqual([args]);
  });

  it('keeps binary arguments exact, \\r\\n inside a bulk included', () => {
    const value = Buffer.from([0, 13, 10, 255, 42, 13, 10]);
    const { commands } = parse(multibulk(['SET', 'k', value]), [3]);
    expect(Buffer.from(commands[0]![2]!, 'latin1')).toEqual(value);
  });

  it('reads inline commands with quotes, LF or CRLF, and skips empty lines and empty multibulks', () => {
    expect(parse('PING\r\nECHO "a b" \'c\'\n\r\n\n*0\r\n*-1\r\nSET k "\\x00\\n"\r\n').commands).toEqual([
      ['PING'],
      ['ECHO', 'a b', 'c'],
      ['SET', 'k', '\x00\n'],
    ]);
  });

  it('answers protocol errors with Redis texts, after the commands before them', () => {
    const cases: [string, string][] = [
      ['*x\r\n', 'invalid multibulk length'],
      ['*3000000000\r\n', 'invalid multibulk length'],
      ['*+1\r\n', 'invalid multibulk length'],
      ['*01\r\n', 'invalid multibulk length'],
      ['*1\r\nx4\r\n', "expected '$', got 'x'"],
      ['*1\r\n$x\r\n', 'invalid bulk length'],
      ['*1\r\n$-1\r\n', 'invalid bulk length'],
      ['*1\r\n$4294967296\r\n', 'invalid bulk length'],
      ['*1\r\n$536870913\r\n', 'invalid bulk length'],
      ['ECHO "a\r\n', 'unbalanced quotes in request'],
      ['ECHO "a"b\r\n', 'unbalanced quotes in request'],
      ["ECHO 'a\r\n", 'unbalanced quotes in request'],
    ];
    for (const [input, text] of cases) {
      expect(parse(`PING\r\n${input}PING\r\n`), input).toEqual({
        commands: [['PING']],
        error: `ERR Protocol error: ${text}`,
      });
      expect(parse(`PING\r\n${input}PING\r\n`, [1]).error, `${input} byte by byte`).toBe(`ERR Protocol error: ${text}`);
    }
  });

  it('refuses a too long inline line or header once 64 KiB have come without its end', () => {
    const long = 'A'.repeat(70 * 1024);
    expect(parse(long, [4096]).error).toBe('ERR Protocol error: too big inline request');
    expect(parse(`*${'1'.repeat(70 * 1024)}`, [4096]).error).toBe('ERR Protocol error: too big mbulk count string');
    expect(parse(`*1\r\n$${'1'.repeat(70 * 1024)}`, [4096]).error).toBe(
      'ERR Protocol error: too big bulk count string',
    );
    // A long inline line that does end is fine, as in Redis (the limit is on what is still unterminated).
    expect(parse(`ECHO ${'b'.repeat(1000)}\r\n`).commands).toEqual([['ECHO', 'b'.repeat(1000)]]);
  });

  it('waits on a *2147483647 header without allocating for it', () => {
    const parser = new RespParser(LIMITS);
    const sink = new Collect();
    const before = process.memoryUsage().arrayBuffers;
    expect(parser.feed(Buffer.from('*2147483647\r\n$4\r\nPING\r\n'), sink)).toBeNull();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    expect(sink.commands).toEqual([]);
  });

  it('applies proto-max-bulk-len and closes without a word past client-query-buffer-limit', () => {
    const limits = { maxBulkLength: 10, maxQueryBuffer: 100 };
    expect(parse(multibulk(['SET', 'k', 'x'.repeat(10)]), [5], limits).commands).toHaveLength(1);
    expect(parse(multibulk(['SET', 'k', 'x'.repeat(11)]), [5], limits).error).toBe(
      'ERR Protocol error: invalid bulk length',
    );
    const many = Buffer.concat([
      Buffer.from('*20\r\n'),
      ...Array.from({ length: 20 }, () => Buffer.from('$10\r\n0123456789\r\n')),
    ]);
    const parser = new RespParser(limits);
    let failed: ProtocolError | null = null;
    for (let at = 0; at < many.length && failed === null; at += 7)
      failed = parser.feed(many.subarray(at, at + 7), new Collect());
    expect(failed).toEqual({ message: null });
  });

  it('holds unauthenticated clients to short headers, as Redis does', () => {
    const sink = new Collect();
    sink.auth = true;
    expect(parse('*11\r\n', undefined, LIMITS, sink).error).toBe(
      'ERR Protocol error: unauthenticated multibulk length',
    );
    const sink2 = new Collect();
    sink2.auth = true;
    expect(parse('*2\r\n$4\r\nAUTH\r\n$16385\r\n', undefined, LIMITS, sink2).error).toBe(
      'ERR Protocol error: unauthenticated bulk length',
    );
  });

  it('joins a large bulk once, not per piece', () => {
    const value = Buffer.alloc(1024 * 1024, 7);
    const { commands } = parse(multibulk(['SET', 'k', value]), [1000]);
    expect(commands[0]![2]!.length).toBe(value.length);
  });

  it('survives random bytes: only commands or a protocol error, never a throw', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = prng(seed);
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 400) }, () => Math.floor(r() * 256)));
      if (seed % 2 === 0) bytes[0] = 0x2a;
      expect(() => parse(bytes, [1 + Math.floor(r() * 50)])).not.toThrow();
    }
  });
});
