import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, openInput } from '@esc/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_FORMATS, findBuiltinFormat } from './format-registry.js';
import { recordSerializer } from './ndjson-writer.js';
import { compileFormat } from './log-format.js';
import { parseRecordBatches, parseStream, RecordParser, type ParsedRecord } from './record-stream.js';
import { StatsAccumulator } from './stats-accumulator.js';
import { readTextChunks } from './text-chunks.js';
import { HDFS_2K } from '@esc/test-fixtures';

const hdfs = compileFormat(findBuiltinFormat('hdfs')!);

async function collect(chunks: Iterable<Buffer | string>, format = hdfs, stats?: StatsAccumulator) {
  const out: ParsedRecord[] = [];
  for await (const r of parseStream(chunks, { format, stats })) out.push(r);
  return out;
}

describe('parsing a stream', () => {
  it('counts a malformed line and skips it; keeps an impossible date with timestamp null', async () => {
    const stats = new StatsAccumulator('t', 'hdfs');
    const text =
      '081109 203615 148 INFO dfs.A: one\r\nthis is not hdfs\r\n081331 203615 148 WARN dfs.A: bad date\r\n081109 203616 1 INFO dfs.B: last';
    const records = await collect([text], hdfs, stats);
    expect(records.map((r) => [r.line, r.time?.iso ?? null, r.fields.content])).toEqual([
      [1, '2008-11-09T20:36:15', 'one'],
      [3, null, 'bad date'],
      [4, '2008-11-09T20:36:16', 'last'],
    ]);
    const report = stats.report();
    expect(report.lines).toMatchObject({ read: 4, parsed: 3, malformed: 1, invalidTimestamps: 1 });
    expect(report.malformedSamples).toEqual([{ line: 2, text: 'this is not hdfs' }]);
    expect(report.invalidTimestampSamples[0]!.line).toBe(3);
  });

  it('--strict stops at the first malformed line, naming the source and line', async () => {
    const run = async () => {
      for await (const _ of parseRecordBatches(['081109 203615 148 INFO dfs.A: one\nnope\n'], {
        format: hdfs,
        strict: true,
        source: 'x.log',
      }))
        void _;
    };
    await expect(run()).rejects.toThrow(InvalidInputError);
    await expect(run()).rejects.toMatchObject({ path: 'x.log', line: 2 });
    const bad = async () => {
      for await (const _ of parseRecordBatches(
        ['081109 203615 148 INFO dfs.A: one\n081109 253615 148 INFO dfs.A: one\n'],
        { format: hdfs, strict: true },
      ))
        void _;
    };
    await expect(bad()).rejects.toMatchObject({ line: 2, message: expect.stringMatching(/impossible timestamp/) });
  });

  it('gives the same records however the input is cut into pieces (even inside a UTF-8 character)', () => {
    const sample = Buffer.from(
      '081109 203615 148 INFO dfs.A: héllo €\n081109 203616 2 WARN dfs.B: 𝄞 x\r\n\nbad\n081109 203617 3 INFO dfs.C: end',
      'utf8',
    );
    return fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: sample.length - 1 }), { maxLength: 6 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...points].map((p, i) => sample.subarray(p, points[i] ?? sample.length));
        expect(await collect(pieces)).toEqual(await collect([sample]));
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on random bytes, with any built-in format, and accounts for every line', () => {
    const formats = BUILTIN_FORMATS.map((d) => compileFormat(d, { year: 2020 }));
    return fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 0, max: formats.length - 1 }),
        async (bytes, k) => {
          const stats = new StatsAccumulator('t', formats[k]!.name);
          const records = await collect([Buffer.from(bytes)], formats[k]!, stats);
          const r = stats.report();
          const buf = Buffer.from(bytes);
          let lines = 0;
          for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
          if (buf.length > 0 && buf[buf.length - 1] !== 10) lines++;
          expect(r.lines.read).toBe(lines);
          expect(r.lines.parsed + r.lines.malformed).toBe(lines);
          expect(records.length).toBe(r.lines.parsed);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on random lines made of log-ish pieces', () => {
    const piece = fc.constantFrom(
      '081109',
      '203615',
      '2015-10-18',
      '18:01:47,978',
      'INFO',
      '[',
      ']',
      '<',
      '>',
      ':',
      ' ',
      '  ',
      '\t',
      '\r',
      '{',
      '}',
      '"',
      'a',
      'é',
      '\u2028',
      '\\',
      '- ',
      'Dec',
      '10',
      '\uD800',
    );
    const formats = BUILTIN_FORMATS.map((d) => compileFormat(d));
    return fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(piece, { maxLength: 20 }).map((p) => p.join('')),
          { maxLength: 10 },
        ),
        async (lines) => {
          for (const f of formats) await collect([lines.join('\n')], f, new StatsAccumulator('t', f.name));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('counts an empty input as zero lines', async () => {
    const stats = new StatsAccumulator('t', 'hdfs');
    expect(await collect([], hdfs, stats)).toEqual([]);
    expect(stats.report().lines.read).toBe(0);
    expect(stats.report().time.first).toBeNull();
  });

  it('survives a 50 MiB line read from a file: counted as malformed (over the line limit), the next line parsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-parser-'));
    const path = join(dir, 'long.log');
    writeFileSync(
      path,
      Buffer.concat([Buffer.alloc(50 * 1024 * 1024, 'a b: '), Buffer.from('\n081109 203615 148 INFO dfs.A: after\n')]),
    );
    const source = openInput(path);
    try {
      const stats = new StatsAccumulator('t', 'hdfs');
      const records: ParsedRecord[] = [];
      for await (const batch of parseRecordBatches(readTextChunks(source), { format: hdfs, stats }))
        records.push(...batch);
      expect(records.map((r) => [r.line, r.fields.content])).toEqual([[2, 'after']]);
      expect(stats.report().lines).toMatchObject({ read: 2, malformed: 1 });
    } finally {
      source.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a parser fed by hand reports lines and malformed counts', () => {
    const p = new RecordParser({ format: hdfs });
    const out: ParsedRecord[] = [];
    p.push('x\n081109 203615 148 INFO dfs.A: a\ny', out);
    p.finish(out);
    expect([p.linesRead, p.malformed, p.firstMalformedLine, out.length]).toEqual([3, 2, 1, 1]);
  });
});

describe('the hdfs NDJSON fast path', () => {
  const serialise = recordSerializer(hdfs.fields);
  const general = compileFormat({ ...findBuiltinFormat('hdfs')! });

  function direct(text: string, piece: number) {
    const p = new RecordParser({ format: hdfs });
    let json = '';
    for (let i = 0; i < text.length; i += piece) json += p.pushNdjson(text.slice(i, i + piece), serialise);
    json += p.pushNdjson('', serialise, true);
    return { json, lines: p.linesRead, malformed: p.malformed, invalid: p.invalidTimestamps };
  }
  function slow(text: string) {
    const p = new RecordParser({ format: general });
    const out: ParsedRecord[] = [];
    p.push(text, out);
    p.finish(out);
    return {
      json: out.map((r) => `${serialise(r)}\n`).join(''),
      lines: p.linesRead,
      malformed: p.malformed,
      invalid: p.invalidTimestamps,
    };
  }

  it('writes the HDFS sample byte for byte as the general path does', () => {
    const sample = readFileSync(HDFS_2K, 'utf8');
    expect(direct(sample, 4096)).toEqual(slow(sample));
    expect(direct(sample, 4096).json.split('\n').length).toBe(2001);
  });

  it('agrees with the general path on random HDFS-like lines (quotes, backslashes, blanks, bad dates, non-ASCII)', () => {
    const line = fc
      .tuple(
        fc.constantFrom('081109', '081331', ' 081109', '08110'),
        fc.constantFrom(' ', '  ', '\t'),
        fc.constantFrom('203615', '203616', '246199'),
        fc.constantFrom(' 148 ', ' 1 ', '  2 ', ' x '),
        fc.constantFrom('INFO', 'WARN', 'Info', 'ERROR'),
        fc.constantFrom(' dfs.A', ' dfs.B$C', ' a"b', ' a\\b', ' é', ' a:b'),
        fc.constantFrom(': ', ':  ', ':', ':\t'),
        fc.constantFrom(
          'msg 1',
          'say "hi"',
          'back\\slash',
          'tab\there',
          '',
          ' ',
          'trailing ',
          'é€',
          '\u0001',
          'x\r',
          '\uD800',
        ),
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 25 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 80 }),
        (lines, eol, finalEol, piece) => {
          const text = lines.join(eol) + (finalEol ? eol : '');
          expect(direct(text, piece)).toEqual(slow(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});
