import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './format-detect.js';
import { BUILTIN_FORMATS } from './format-registry.js';
import { selectFormat } from './format-selection.js';
import { loghubLog } from '@esc/test-fixtures';

const SYSTEMS = [
  'Apache',
  'BGL',
  'HDFS',
  'HPC',
  'Hadoop',
  'Linux',
  'OpenSSH',
  'OpenStack',
  'Proxifier',
  'Spark',
  'Zookeeper',
];
const head = (system: string) => readFileSync(loghubLog(system), 'utf8').split('\n').slice(0, 50);

describe('--format auto', () => {
  for (const system of SYSTEMS) {
    it(`recognises ${system} from its first 50 lines`, () => {
      const d = detectFormat(head(system), BUILTIN_FORMATS, { year: 2020 });
      expect(d?.format.name).toBe(system.toLowerCase());
      expect(d?.matched).toBe(50);
    });
  }

  it('recognises JSON lines', () => {
    const d = detectFormat(
      ['{"time":"2024-03-01T12:00:00Z","level":"info","msg":"hi"}', '{"time":1709294400,"level":30,"msg":"x"}'],
      BUILTIN_FORMATS,
    );
    expect(d?.format.name).toBe('jsonl');
    const p = d!.format.parse('{"time":1709294400000,"level":50,"msg":"boom","n":3}')!;
    expect([p.time?.iso, p.level, p.message, p.fields.n]).toEqual(['2024-03-01T12:00:00.000Z', 'ERROR', 'boom', '3']);
  });

  it('falls back (and says so) when nothing matches, and on an empty input', async () => {
    expect(detectFormat(['\u0000\u0001 binary', 'more junk'], BUILTIN_FORMATS)).toBeNull();
    expect((await selectFormat({}, ['junk'])).how).toBe('fallback');
    expect((await selectFormat({}, [])).how).toBe('fallback');
  });
});

describe('choosing a format', () => {
  it('takes a Loghub format string with --timestamp', async () => {
    const { format } = await selectFormat(
      { format: '<Date> <Time> <Level> <Content>', timestamp: 'Date,Time=yyyy-MM-dd HH:mm:ss' },
      [],
    );
    expect(format.parse('2024-03-01 12:00:00 WARN disk  full')).toMatchObject({
      fields: { Level: 'WARN', Content: 'disk  full' },
      time: { iso: '2024-03-01T12:00:00' },
    });
    expect(format.levelField).toBe('Level');
  });

  it('takes --regex with named groups', async () => {
    const { format } = await selectFormat(
      { regex: '^(?<ts>\\S+) (?<level>\\w+) (?<msg>.*)$', timestamp: 'ts=yyyy-MM-dd' },
      [],
    );
    expect(format.parse('2024-03-01 INFO hello')).toMatchObject({
      fields: { ts: '2024-03-01', level: 'INFO', msg: 'hello' },
      level: 'INFO',
      message: 'hello',
    });
  });

  it('applies --timestamp to a detected format too, and refuses one that cannot apply', async () => {
    // A user's rule must never be dropped silently: with --format auto it replaces the detected format's rule.
    const { format, how } = await selectFormat({ timestamp: 'date=yyMMdd' }, head('HDFS'));
    expect([how, format.name]).toEqual(['detected', 'hdfs']);
    expect(format.parse('081109 203615 148 INFO dfs.A: hi')?.time?.iso).toBe('2008-11-09T00:00:00');
    await expect(selectFormat({ timestamp: 'ts=yyyy-MM-dd' }, head('HDFS'))).rejects.toThrow(
      /format 'hdfs': timestamp field 'ts' is not a field/,
    );
    await expect(selectFormat({ timestamp: 'ts=yyyy-MM-dd' }, ['{"ts":"2024-03-01","msg":"x"}'])).rejects.toThrow(
      /does not apply to format 'jsonl'/,
    );
    await expect(selectFormat({ format: 'jsonl', timestamp: 'ts=yyyy-MM-dd' }, [])).rejects.toThrow(/does not apply/);
  });

  it('refuses unknown names, bad patterns and timestamp fields that do not exist', async () => {
    await expect(selectFormat({ format: 'nosuch' }, [])).rejects.toThrow(/unknown format 'nosuch'/);
    await expect(selectFormat({ regex: '(?<a>' }, [])).rejects.toThrow(/format 'regex'/);
    await expect(selectFormat({ format: '<A> <B>', timestamp: 'C=yyyy-MM-dd' }, [])).rejects.toThrow(
      /'C' is not a field/,
    );
    await expect(selectFormat({ format: '<A> <B>', timestamp: 'A' }, [])).rejects.toThrow(/FIELD/);
  });
});
