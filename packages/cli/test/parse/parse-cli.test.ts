import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statsReportSchema } from '@esc/parser/schemas';
import { parseCsv, tempDir } from '@esc/test-fixtures';
import { runEsc, runShell } from '../run-esc.js';

// End-to-end: the built binary, as a user runs it (`pnpm build` first).
const HDFS = 'logs/HDFS_2k.log';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character that starts a colour sequence
const ANSI_ESCAPE = /\u001b\[/;
const tmp = tempDir('esc-parse-e2e');

/** `esc parse …args`; CI set, so no progress bar even on a terminal. */
function esc(args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}) {
  return runEsc(['parse', ...args], { input, env: { CI: '1', ...env } });
}

function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

describe('esc parse (built binary)', () => {
  it('streams NDJSON records in the original form and says which format it detected', () => {
    const r = esc([HDFS]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(2000);
    expect(JSON.parse(lines[0]!)).toEqual({
      date: '081109',
      time: '203615',
      pid: '148',
      level: 'INFO',
      component: 'dfs.DataNode$PacketResponder',
      content: 'PacketResponder 1 for block blk_38865049064139660 terminating',
      timestamp: '2008-11-09T20:36:15',
    });
    expect(r.stderr).toMatch(/format hdfs \(detected/);
    // No progress bar in a pipe or in CI: stderr holds only the detection note.
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--stats prints the report: levels INFO 1920 (96.00%), WARN 80 (4.00%), events/s with its denominator', () => {
    const r = esc([HDFS, '--stats']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/INFO\s+1,920\s+96\.00%/);
    expect(r.stdout).toMatch(/WARN\s+80\s+4\.00%/);
    expect(r.stdout).toMatch(/2,000 events with a timestamp ÷ 135,842 s span/);
    expect(r.stdout).toMatch(/Events over time \(bucket 2h/);
    expect(r.stdout).not.toMatch(ANSI_ESCAPE);
    expect(r.stdout).not.toMatch(/"date"/);
  });

  it('--stats --json prints one document matching the documented schema', () => {
    const r = esc([HDFS, '--stats', '--json', '--bucket', '1d']);
    const report = statsReportSchema.parse(JSON.parse(r.stdout));
    expect(report.levels).toEqual([
      { level: 'INFO', count: 1920, percent: 96 },
      { level: 'WARN', count: 80, percent: 4 },
    ]);
    expect(report.histogram.buckets.map((b) => b.start)).toEqual([
      '2008-11-09T00:00:00',
      '2008-11-10T00:00:00',
      '2008-11-11T00:00:00',
    ]);
  });

  it('colours the report with --color=always or FORCE_COLOR, never in a pipe by default', () => {
    expect(esc([HDFS, '--stats', '--color=always']).stdout).toMatch(ANSI_ESCAPE);
    expect(esc([HDFS, '--stats'], undefined, { NO_COLOR: undefined, FORCE_COLOR: '1' }).stdout).toMatch(ANSI_ESCAPE);
    expect(esc([HDFS, '--stats'], undefined, { NO_COLOR: undefined }).stdout).not.toMatch(ANSI_ESCAPE);
  });

  it('--stats --records prints records, then the report', () => {
    const r = esc([HDFS, '--stats', '--records', '--level', 'WARN']);
    const cut = r.stdout.indexOf('\n\n');
    const records = r.stdout.slice(0, cut);
    const report = r.stdout.slice(cut);
    expect(records.split('\n').map((l) => JSON.parse(l).level)).toEqual(Array(80).fill('WARN'));
    expect(report).toMatch(/Selected\s+80 events \(1,920 filtered out\)/);
  });

  it('filters by level, time and content before output', () => {
    const warn = esc([HDFS, '--level', 'warn'])
      .stdout.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(warn.length).toBe(80);
    expect(warn.filter((x) => x.level !== 'WARN')).toEqual([]);
    const window = esc([HDFS, '--since', '2008-11-10T10:00', '--until', '2008-11-10T10:59:59'])
      .stdout.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(window.filter((x) => !(x.timestamp >= '2008-11-10T10:00' && x.timestamp <= '2008-11-10T10:59:59'))).toEqual(
      [],
    );
    const hourly = JSON.parse(esc([HDFS, '--stats', '--json', '--bucket', '1h']).stdout).histogram.buckets;
    const tenOClock = hourly.find((b: { start: string }) => b.start === '2008-11-10T10:00:00');
    expect(tenOClock.events).toBeGreaterThan(0);
    expect(window.length).toBe(tenOClock.events);
    const grep = esc([HDFS, '--grep', 'Got exception']).stdout.trimEnd().split('\n');
    expect(grep.length).toBe(80);
    const recent = esc([HDFS, '--since', '-2h']);
    expect([recent.status, recent.stdout]).toEqual([0, '']);
  });

  it('-o json gives one array, -o csv a CSV that reads back to the same fields, -o table aligned text', () => {
    const nd = esc([HDFS])
      .stdout.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(JSON.parse(esc([HDFS, '-o', 'json']).stdout)).toEqual(nd);
    const [header, ...rows] = parseCsv(esc([HDFS, '-o', 'csv']).stdout);
    expect(header).toEqual(['date', 'time', 'pid', 'level', 'component', 'content', 'timestamp']);
    expect(rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])))).toEqual(nd);
    const table = esc([HDFS, '-o', 'table']).stdout.split('\n');
    expect(table[0]).toMatch(/^timestamp\s+date\s+time\s+pid\s+level\s+component\s+content$/);
    expect(table[1]).toMatch(/^2008-11-09T20:36:15\s+081109\s+203615/);
  });

  it('counts malformed lines and impossible dates, reports them, exits 0; --strict exits 2 naming file and line', () => {
    const path = file(
      'mixed.log',
      '081109 203615 148 INFO dfs.A: ok\ngarbage line\n081332 203615 148 INFO dfs.A: month 13\n',
    );
    const r = esc([path, '--format', 'hdfs']);
    expect(r.status).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).timestamp),
    ).toEqual(['2008-11-09T20:36:15', null]);
    expect(r.stderr).toMatch(/1 malformed line skipped \(first: line 2/);
    const s = esc([path, '--format', 'hdfs', '--stats']);
    expect(s.stdout).toMatch(/1 malformed · 1 invalid timestamps/);
    expect(s.stdout).toMatch(/line 2: garbage line/);
    const strict = esc([path, '--format', 'hdfs', '--strict']);
    expect(strict.status).toBe(2);
    expect(strict.stderr.trim().split('\n').pop()).toBe(`esc: ${path}:2: line does not match the hdfs format`);
  });

  it('survives binary data, invalid UTF-8 and an empty file', () => {
    const bin = file('bin.log', Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0xc3, 0x28, 10, 0x80]));
    const r = esc([bin, '--stats']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/3 read · 0 parsed · 3 malformed/);
    expect(r.stderr).toMatch(/no known format matches/);
    const empty = esc([file('empty.log', ''), '--stats', '--json']);
    expect(empty.status).toBe(0);
    expect(JSON.parse(empty.stdout).lines.read).toBe(0);
  });

  it('survives a 50 MiB line: counted as malformed, the lines around it parsed', () => {
    const path = file(
      'huge.log',
      Buffer.concat([
        Buffer.from('081109 203615 148 INFO dfs.A: before\n'),
        Buffer.alloc(50 << 20, 'x: '),
        Buffer.from('\n081109 203616 148 WARN dfs.A: after\n'),
      ]),
    );
    const r = esc([path, '--stats', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.lines).toMatchObject({ read: 3, parsed: 2, malformed: 1 });
    expect(report.malformedSamples[0].line).toBe(2);
  });

  it('reads standard input, syslog stamps take --year, --tz adds an offset', () => {
    const r = esc(
      ['-', '--year', '2015', '--tz', '+08:00'],
      'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n',
    );
    expect(JSON.parse(r.stdout)).toMatchObject({
      month: 'Dec',
      host: 'LabSZ',
      pid: '24200',
      timestamp: '2015-12-10T06:55:46+08:00',
    });
    expect(r.stderr).toMatch(/format openssh/);
  });

  it('takes a Loghub format string and a format file', () => {
    const line = '2024-03-01 12:00:00 [db] WARN slow query\n';
    const r = esc(
      [
        '-',
        '--format',
        '<Date> <Time> \\[<Component>\\] <Level> <Content>',
        '--timestamp',
        'Date,Time=yyyy-MM-dd HH:mm:ss',
      ],
      line,
    );
    expect(JSON.parse(r.stdout)).toEqual({
      Date: '2024-03-01',
      Time: '12:00:00',
      Component: 'db',
      Level: 'WARN',
      Content: 'slow query',
      timestamp: '2024-03-01T12:00:00',
    });
    const formats = file(
      'formats.json',
      JSON.stringify({
        formats: [
          {
            name: 'mine',
            format: '<d> <t> \\[<c>\\] <l> <m>',
            timestamp: { fields: ['d', 't'], layout: 'yyyy-MM-dd HH:mm:ss' },
            level: 'l',
            message: 'm',
          },
        ],
      }),
    );
    const f = esc(['-', '--format-file', formats, '--stats', '--json'], line);
    expect(JSON.parse(f.stdout)).toMatchObject({ format: 'mine', levels: [{ level: 'WARN', count: 1 }] });
    const bad = file('bad.json', JSON.stringify({ formats: [{ name: 'x' }] }));
    const b = esc(['-', '--format-file', bad], line);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`esc: ${bad}: invalid at formats.0`));
  });

  it('reports bad flags and missing files in one line with exit 2', () => {
    const missing = esc(['no/such.log']);
    expect([missing.status, missing.stderr.trim()]).toEqual([2, 'esc: no/such.log: No such file or directory']);
    expect(esc([HDFS, '--format', 'nosuch']).stderr).toMatch(/^esc: unknown format 'nosuch'/m);
    expect(esc([HDFS, '--bucket', 'soon']).status).toBe(2);
    expect(esc([HDFS, '--since', 'tomorrow']).status).toBe(2);
    expect(esc([HDFS, '-o', 'xml']).status).toBe(2);
  });

  it('ends quietly with 0 when the reader goes away (| head)', () => {
    const res = runShell(`$ESC parse ${HDFS} | head -1; echo "status \${PIPESTATUS[0]}"`, { env: { CI: '1' } });
    const [first, status] = res.stdout.split('\n');
    expect(first).toMatch(/^\{"date":"081109"/);
    expect(status).toBe('status 0');
    expect(res.stderr).not.toMatch(/EPIPE|Error/);
    const fast = runShell(`set -o pipefail; $ESC parse ${HDFS} --format hdfs | head -1 >/dev/null`);
    expect([fast.status, fast.stderr]).toEqual([0, '']);
  });
});
