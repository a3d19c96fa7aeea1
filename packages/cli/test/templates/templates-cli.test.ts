import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@esc/test-fixtures';
import { runEsc } from '../run-esc.js';

// End-to-end: the built binary, as a user runs it (`pnpm build` first).
const HDFS = 'logs/HDFS_2k.log';
// Ground truth: how many of the 2000 lines each of the 14 HDFS templates has (HDFS_2k.log_structured.csv).
const HDFS_TRUTH_SIZES = [314, 311, 292, 292, 263, 224, 115, 80, 80, 20, 5, 2, 1, 1];

const dir = tempDir('esc-templates-e2e');

describe('esc templates', () => {
  it('mines the HDFS sample into groups of the ground truth sizes, ids and counts in JSON', () => {
    const res = runEsc(['templates', HDFS, '-o', 'json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const templates = JSON.parse(res.stdout) as { id: string; template: string; count: number; sample: string }[];
    expect(templates.reduce((a, t) => a + t.count, 0)).toBe(2000);
    // GA is 1.0 on this sample: the mined groups have the truth's sizes.
    expect(templates.map((t) => t.count)).toEqual(HDFS_TRUTH_SIZES);
    expect(templates[1]).toMatchObject({ template: 'PacketResponder <*> for block blk_<*> terminating' });
    for (const t of templates) expect(t.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('--per-line gives each line its template and parameters; the ids are the table ids', () => {
    const perLine = runEsc(['templates', '--per-line', HDFS]);
    expect(perLine.status).toBe(0);
    const records = perLine.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(2000);
    expect(records[0]).toEqual({
      file: HDFS,
      line: 1,
      templateId: expect.stringMatching(/^[0-9a-f]{16}$/),
      template: 'PacketResponder <*> for block blk_<*> terminating',
      params: ['1', '38865049064139660'],
    });
    const table = runEsc(['templates', '-o', 'ndjson', HDFS])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(table.map((t) => t.id)).toContain(records[0].templateId);
  });

  it('reads standard input, whole lines with --format line, and -o csv', () => {
    const input = 'disk 1 full\ndisk 2 full\r\nfan speed 300\nfan speed 400';
    const res = runEsc(['templates', '--format', 'line', '-o', 'csv'], { input });
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(
      'id,count,template,sample\n' +
        `${id(res.stdout, 1)},2,disk <*> full,disk 1 full\n` +
        `${id(res.stdout, 2)},2,fan speed <*>,fan speed 300\n`,
    );
  });

  it('any bytes: an empty input, invalid UTF-8 and control characters are lines like others; the table escapes controls', () => {
    expect(runEsc(['templates', '--format', 'line', '-o', 'json'], { input: '' }).stdout).toBe('[]\n');
    const input = Buffer.concat([
      Buffer.from('bell \x07 here 1\nbell \x07 here 2\n'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' 3\n'),
    ]);
    const table = runEsc(['templates', '--format', 'line'], { input });
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('2  bell \\x07 here <*>\n');
    const json = JSON.parse(runEsc(['templates', '--format', 'line', '-o', 'json'], { input }).stdout);
    expect(json.map((t: { template: string; count: number }) => [t.template, t.count])).toEqual([
      ['bell \u0007 here <*>', 2],
      ['\ufffd\ufffd <*>', 1],
    ]);
  });

  it('--state resumes: two runs over halves give the counts of one run over the whole', () => {
    const lines = readFileSync(HDFS, 'utf8').split('\n');
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, lines.slice(0, 1000).join('\n'));
    writeFileSync(b, lines.slice(1000).join('\n'));
    const state = join(dir, 'miner.json');
    expect(runEsc(['templates', '--state', state, a]).status).toBe(0);
    const resumed = runEsc(['templates', '--state', state, '-o', 'json', b]);
    const whole = runEsc(['templates', '-o', 'json', HDFS]);
    expect(JSON.parse(resumed.stdout)).toEqual(JSON.parse(whole.stdout));
  });

  it('--masks adds a user mask; a bad pattern or file is one error line and exit 2', () => {
    const masks = join(dir, 'masks.json');
    writeFileSync(masks, JSON.stringify({ masks: [{ name: 'colour', pattern: '\\b(?:red|green|blue)\\b' }] }));
    const input = 'paint wall red now\npaint wall blue now\n';
    const templates = (args: string[]) =>
      runEsc(['templates', '--format', 'line', '-o', 'ndjson', ...args], { input })
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l).template);
    // Without the mask two colours are two words, kept apart; with it they are one variable.
    expect(templates([])).toEqual(['paint wall blue now', 'paint wall red now']);
    expect(templates(['--masks', masks])).toEqual(['paint wall <*> now']);
    writeFileSync(masks, JSON.stringify({ masks: [{ name: 'bad', pattern: '(' }] }));
    const bad = runEsc(['templates', '--masks', masks], { input });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^esc: .*masks\.json.*mask bad/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

function id(csv: string, row: number): string {
  return csv.split('\n')[row]!.split(',')[0]!;
}
