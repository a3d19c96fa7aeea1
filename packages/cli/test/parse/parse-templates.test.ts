import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statsReportSchema } from '@esc/parser/schemas';
import { HDFS_2K, loghubStructuredCsv, parseCsv, tempDir } from '@esc/test-fixtures';
import { runEsc } from '../run-esc.js';

// End-to-end: the built binary (`pnpm build` first). The top templates of `esc parse --stats` against the
// Loghub ground truth of the same 2,000 lines.
const HDFS = 'logs/HDFS_2k.log';
const tmp = tempDir('esc-parse-templates');

function esc(args: string[]) {
  return runEsc(['parse', ...args], { env: { CI: '1' } });
}

const [header, ...rows] = parseCsv(readFileSync(loghubStructuredCsv('HDFS'), 'utf8'));
const col = (name: string) => header!.indexOf(name);
const truth = rows.map((r) => ({ content: r[col('Content')]!, event: r[col('EventId')]! }));
const truthCounts = new Map<string, number>();
for (const t of truth) truthCounts.set(t.event, (truthCounts.get(t.event) ?? 0) + 1);

/** A mined template as an anchored regex over a message: `<*>` stands for any text. */
function templateRegex(template: string): RegExp {
  const parts = template.split('<*>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*?')}$`, 's');
}

describe('esc parse --stats: top templates (built binary)', () => {
  const json = esc([HDFS, '--stats', '--json', '--templates']);
  const report = statsReportSchema.parse(JSON.parse(json.stdout));

  it('gives the 10 most frequent templates with the counts of the ground truth’s events', () => {
    expect(json.status).toBe(0);
    const t = report.templates!;
    expect(t).toMatchObject({ messages: 2000, mined: 2000, exact: true, distinct: truthCounts.size });
    expect(t.top).toHaveLength(10);
    // The miner groups HDFS exactly (GA 1.0): each template's lines are one ground-truth event, all of it.
    for (const { template, count, percent } of t.top) {
      const re = templateRegex(template);
      const events = new Set(truth.filter((x) => re.test(x.content)).map((x) => x.event));
      expect([template, [...events]]).toEqual([template, [expect.any(String)]]);
      expect([template, count]).toEqual([template, truthCounts.get([...events][0]!)]);
      expect(percent).toBe(Math.round((count / 2000) * 10000) / 100);
    }
    const truthTop = [...truthCounts.values()].sort((a, b) => b - a).slice(0, 10);
    expect(t.top.map((x) => x.count)).toEqual(truthTop);
  });

  it('prints the section in the text report: count, share, template', () => {
    const r = esc([HDFS, '--stats', '--top-templates', '3']);
    expect(r.status).toBe(0);
    const section = r.stdout.split('\n\n').find((s) => s.startsWith('Top templates'))!;
    const lines = section.split('\n');
    expect(lines[0]).toBe(`Top templates (3 of ${truthCounts.size}; all 2,000 messages mined)`);
    expect(lines.slice(1).map((l) => l.trim().split(/ {2,}/))).toEqual(
      report.templates!.top.slice(0, 3).map((x) => [String(x.count), `${x.percent.toFixed(2)}%`, x.template]),
    );
  });

  it('without --templates the section is left out (no mining: --stats keeps its speed) and the rest is the same', () => {
    const off = statsReportSchema.parse(JSON.parse(esc([HDFS, '--stats', '--json']).stdout));
    expect(off.templates).toBeUndefined();
    const { templates: _, ...rest } = report;
    expect(off).toEqual(rest);
    expect(esc([HDFS, '--stats']).stdout).not.toMatch(/Top templates/);
  });

  it('counts templates of selected records only, exactly with --exact-templates', () => {
    const warn = statsReportSchema.parse(
      JSON.parse(esc([HDFS, '--stats', '--json', '--level', 'WARN', '--exact-templates']).stdout),
    );
    const warnEvents = new Map<string, number>();
    for (const [i, r] of rows.entries())
      if (r[col('Level')] === 'WARN') warnEvents.set(truth[i]!.event, (warnEvents.get(truth[i]!.event) ?? 0) + 1);
    expect(warn.templates!.top.map((x) => x.count)).toEqual([...warnEvents.values()].sort((a, b) => b - a));
  });

  it('past 10,000 messages samples and says so; --exact-templates counts every one', () => {
    // Six copies of the sample: 12,000 lines, so the first five copies are mined exactly, the sixth sampled.
    const six = join(tmp, 'six.log');
    writeFileSync(six, readFileSync(HDFS_2K).toString('latin1').repeat(6), 'latin1');
    const exact = statsReportSchema.parse(
      JSON.parse(esc([six, '--stats', '--json', '--exact-templates', '--top-templates', '20']).stdout),
    );
    expect(exact.templates).toMatchObject({ messages: 12000, mined: 12000, exact: true });
    const truthAll = [...truthCounts.values()].sort((a, b) => b - a);
    expect(exact.templates!.top.map((x) => x.count)).toEqual(truthAll.map((c) => 6 * c));

    const sampled = statsReportSchema.parse(JSON.parse(esc([six, '--stats', '--json', '--top-templates', '20']).stdout))
      .templates!;
    expect(sampled).toMatchObject({ messages: 12000, exact: false, distinct: truthCounts.size });
    expect(sampled.mined).toBeGreaterThan(10000);
    expect(sampled.mined).toBeLessThan(10100);
    // Each count is the exact count of five copies plus 128 per sampled message of the sixth.
    const exactCount = new Map(exact.templates!.top.map((x) => [x.template, x.count]));
    for (const { template, count } of sampled.top) {
      const rest = count - (exactCount.get(template)! / 6) * 5;
      expect([template, rest >= 0 && rest % 128 === 0]).toEqual([template, true]);
    }
    expect(esc([six, '--stats', '--templates']).stdout).toMatch(
      /^Top templates \(10 of 14; counts estimated from 10,\d{3} of 12,000 messages mined\)$/m,
    );
  });

  it('rejects a bad --top-templates with exit 2', () => {
    const r = esc([HDFS, '--stats', '--top-templates', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^esc: .*--top-templates/m);
  });
});
