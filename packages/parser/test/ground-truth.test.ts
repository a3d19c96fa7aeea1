import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFormat, findBuiltinFormat } from '../src/index.js';
import { loghubLog, loghubStructuredCsv, parseCsv } from '@esc/test-fixtures';

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
const SKIPPED_COLUMNS = new Set(['LineId', 'EventId', 'EventTemplate']);

// Loghub's structured CSVs were produced by logparser, which reads the file in Python's universal-newline mode
// and strips each line; here the log is split on \n only, the way esc reads it, and every line must match.
describe('Loghub ground truth: every field of X_2k.log_structured.csv, byte for byte', () => {
  for (const system of SYSTEMS) {
    it(system, () => {
      const log = readFileSync(loghubLog(system), 'utf8');
      const [header, ...rows] = parseCsv(readFileSync(loghubStructuredCsv(system), 'utf8'));
      const lines = log.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      expect(lines.length).toBe(2000);
      expect(rows.length).toBe(2000);
      const format = compileFormat(findBuiltinFormat(system)!, { year: 2005 });
      const columns = header!.map((name, i) => ({ name, i })).filter((c) => !SKIPPED_COLUMNS.has(c.name));
      // The format's fields correspond to the CSV's columns in order; names agree except documented renames.
      expect(format.fields.length).toBe(columns.length);
      const mismatches: string[] = [];
      for (let n = 0; n < 2000; n++) {
        const parsed = format.parse(lines[n]!.replace(/\r$/, ''));
        const lineId = Number(rows[n]![0]);
        expect(lineId).toBe(n + 1);
        if (parsed === null) {
          mismatches.push(`line ${n + 1}: no match: ${lines[n]}`);
          continue;
        }
        columns.forEach((c, k) => {
          const got = parsed.fields[format.fields[k]!];
          const want = rows[n]![c.i];
          if (got !== want)
            mismatches.push(`line ${n + 1} ${c.name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        });
        // Every Loghub line carries a possible date.
        if (parsed.time === null) mismatches.push(`line ${n + 1}: no timestamp from ${lines[n]}`);
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
    });
  }
});

// The same check through the custom-format path: each dataset's format string exactly as the Loghub
// benchmark (logpai/logparser) writes it, fields named as the CSV columns, `.*?` everywhere.
const LOGPARSER_FORMATS: Record<string, string> = {
  Apache: '\\[<Time>\\] \\[<Level>\\] <Content>',
  BGL: '<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>',
  HDFS: '<Date> <Time> <Pid> <Level> <Component>: <Content>',
  HPC: '<LogId> <Node> <Component> <State> <Time> <Flag> <Content>',
  Hadoop: '<Date> <Time> <Level> \\[<Process>\\] <Component>: <Content>',
  Linux: '<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>',
  OpenSSH: '<Date> <Day> <Time> <Component> sshd\\[<Pid>\\]: <Content>',
  OpenStack: '<Logrecord> <Date> <Time> <Pid> <Level> <Component> \\[<ADDR>\\] <Content>',
  Proxifier: '\\[<Time>\\] <Program> - <Content>',
  Spark: '<Date> <Time> <Level> <Component>: <Content>',
  Zookeeper: '<Date> <Time> - <Level>  \\[<Node>:<Component>@<Id>\\] - <Content>',
};

describe('Loghub ground truth through --format with the logparser format strings', () => {
  for (const system of SYSTEMS) {
    it(system, () => {
      const log = readFileSync(loghubLog(system), 'utf8');
      const [header, ...rows] = parseCsv(readFileSync(loghubStructuredCsv(system), 'utf8'));
      const lines = log.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const format = compileFormat({ name: system, format: LOGPARSER_FORMATS[system]! });
      const columns = header!.filter((c) => !SKIPPED_COLUMNS.has(c));
      expect(format.fields).toEqual(columns);
      const mismatches: string[] = [];
      for (const [n, line] of lines.entries()) {
        const parsed = format.parse(line.replace(/\r$/, ''));
        if (parsed === null) {
          mismatches.push(`line ${n + 1}: no match`);
          continue;
        }
        for (const c of columns) {
          const want = rows[n]![header!.indexOf(c)];
          if (parsed.fields[c] !== want)
            mismatches.push(
              `line ${n + 1} ${c}: got ${JSON.stringify(parsed.fields[c])}, want ${JSON.stringify(want)}`,
            );
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
    });
  }
});
