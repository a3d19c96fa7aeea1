import { describe, expect, it } from 'vitest';
import { array, bulk, error, integer, NULL_BULK, OK, type Reply, simple } from './reply.js';
import { encodeReply, type Protocol } from './reply-encoder.js';
import { ReplyWriter } from './reply-writer.js';

function encode(reply: Reply, protocol: Protocol): string {
  const out = new ReplyWriter();
  encodeReply(reply, protocol, out);
  const data = out.take();
  if (data === null) return '';
  return (Array.isArray(data) ? Buffer.concat(data) : data).toString('latin1');
}

const both = (reply: Reply) => [encode(reply, 2), encode(reply, 3)];

describe('encodeReply', () => {
  it('writes the types RESP2 and RESP3 share alike', () => {
    expect(both(OK)).toEqual(['+OK\r\n', '+OK\r\n']);
    expect(both(simple('PONG'))).toEqual(['+PONG\r\n', '+PONG\r\n']);
    expect(both(error('ERR syntax error'))).toEqual(['-ERR syntax error\r\n', '-ERR syntax error\r\n']);
    expect(both(integer(-42))).toEqual([':-42\r\n', ':-42\r\n']);
    expect(both(integer(2n ** 63n - 1n))).toEqual([':9223372036854775807\r\n', ':9223372036854775807\r\n']);
    expect(both(bulk('héllo'))).toEqual(
      ['$6\r\nhéllo\r\n', '$6\r\nhéllo\r\n'].map((s) => Buffer.from(s).toString('latin1')),
    );
    expect(both(bulk(Buffer.from([0, 13, 10, 255])))).toEqual(Array(2).fill('$4\r\n\x00\r\n\xff\r\n'));
    expect(both(bulk(''))).toEqual(['$0\r\n\r\n', '$0\r\n\r\n']);
    expect(both(array([integer(1), bulk('a')]))).toEqual(Array(2).fill('*2\r\n:1\r\n$1\r\na\r\n'));
    expect(both(array([]))).toEqual(['*0\r\n', '*0\r\n']);
  });

  it('writes nulls, maps, sets, doubles, verbatim strings and pushes as each protocol does', () => {
    expect(both(NULL_BULK)).toEqual(['$-1\r\n', '_\r\n']);
    expect(both(array(null))).toEqual(['*-1\r\n', '_\r\n']);
    const map: Reply = { kind: 'map', entries: [[bulk('a'), integer(1)]] };
    expect(both(map)).toEqual(['*2\r\n$1\r\na\r\n:1\r\n', '%1\r\n$1\r\na\r\n:1\r\n']);
    expect(both({ kind: 'set', items: [bulk('x')] })).toEqual(['*1\r\n$1\r\nx\r\n', '~1\r\n$1\r\nx\r\n']);
    expect(both({ kind: 'double', value: 1.5 })).toEqual(['$3\r\n1.5\r\n', ',1.5\r\n']);
    expect(both({ kind: 'double', value: Number.POSITIVE_INFINITY })).toEqual(['$3\r\ninf\r\n', ',inf\r\n']);
    expect(both({ kind: 'verbatim', format: 'txt', text: 'a\r\nb' })).toEqual([
      '$4\r\na\r\nb\r\n',
      '=8\r\ntxt:a\r\nb\r\n',
    ]);
    expect(both({ kind: 'push', items: [bulk('message')] })).toEqual([
      '*1\r\n$7\r\nmessage\r\n',
      '>1\r\n$7\r\nmessage\r\n',
    ]);
    expect(both({ kind: 'sequence', replies: [OK, integer(1)] })).toEqual(['+OK\r\n:1\r\n', '+OK\r\n:1\r\n']);
    expect(both({ kind: 'sequence', replies: [] })).toEqual(['', '']);
  });

  it('keeps status and error lines on one line', () => {
    expect(encode(error('ERR a\r\nb'), 2)).toBe('-ERR a  b\r\n');
    expect(encode(simple('a\nb'), 2)).toBe('+a b\r\n');
    expect(encode(simple('héllo'), 2)).toBe(Buffer.from('+héllo\r\n').toString('latin1'));
    expect(encode(error(`ERR ${'x'.repeat(100)}`), 2)).toBe(`-ERR ${'x'.repeat(100)}\r\n`);
  });

  it('writes every length and integer digit by digit as String() would', () => {
    for (const n of [0, 9, 10, 99, 100, 12345, -1, -10, -987654321, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 60, 1.5])
      expect(encode(integer(n), 2)).toBe(`:${n}\r\n`);
    for (const length of [9, 10, 99, 100, 1000, 20000])
      expect(encode(bulk(Buffer.alloc(length, 0x61)), 2)).toBe(`$${length}\r\n${'a'.repeat(length)}\r\n`);
    expect(encode(array(Array(12).fill(integer(7))), 2)).toBe(`*12\r\n${':7\r\n'.repeat(12)}`);
  });

  it('hands large values to the socket without copying them, in order', () => {
    const big = Buffer.alloc(100_000, 1);
    const out = new ReplyWriter();
    encodeReply(array([bulk('a'), bulk(big), bulk('b')]), 2, out);
    const data = out.take();
    expect(Array.isArray(data)).toBe(true);
    expect((data as Buffer[]).some((piece) => piece === big)).toBe(true);
    expect(Buffer.concat(data as Buffer[])).toEqual(
      Buffer.concat([Buffer.from('*3\r\n$1\r\na\r\n$100000\r\n'), big, Buffer.from('\r\n$1\r\nb\r\n')]),
    );
    expect(out.take()).toBeNull();
  });

  it('never overwrites bytes already taken when the slab fills', () => {
    const out = new ReplyWriter();
    const taken: Buffer[] = [];
    const want: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const reply = bulk(`value-${i}-${'x'.repeat(i % 50)}`);
      encodeReply(reply, 2, out);
      want.push(encode(reply, 2));
      if (i % 7 === 0) {
        const d = out.take();
        if (d) taken.push(...(Array.isArray(d) ? d : [d]));
      }
    }
    const d = out.take();
    if (d) taken.push(...(Array.isArray(d) ? d : [d]));
    expect(Buffer.concat(taken).toString('latin1')).toBe(want.join(''));
  });
});
