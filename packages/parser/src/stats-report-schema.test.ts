import { describe, expect, it } from 'vitest';
import { StatsAccumulator } from './stats-accumulator.js';
import { statsReportSchema } from './stats-report-schema.js';

// A small report as StatsAccumulator builds it (no templates section: the CLI adds that).
function report() {
  const stats = new StatsAccumulator('x.log', 'hdfs', { bucketSeconds: 60 });
  stats.addLines(3);
  stats.count('INFO', 'dfs.A', 'Receiving block blk_1', { seconds: 100, iso: '1970-01-01T00:01:40' });
  stats.count('WARN', 'dfs.B', 'Got exception 2', { seconds: 101, iso: '1970-01-01T00:01:41' });
  stats.addMalformed(3, 'junk');
  return stats.report();
}

const templates = {
  messages: 2,
  mined: 2,
  exact: true,
  distinct: 2,
  top: [
    { id: '0123456789abcdef', template: 'Receiving block blk_<*>', count: 1, percent: 50 },
    { id: 'fedcba9876543210', template: 'Got exception <*>', count: 1, percent: 50 },
  ],
};

describe('statsReportSchema (the contract of esc parse --stats --json)', () => {
  it("accepts the accumulator's report as it is, and keeps every field of the report before templates", () => {
    const r = report();
    expect(statsReportSchema.parse(r)).toEqual(r);
    expect(Object.keys(statsReportSchema.shape)).toEqual([
      'source',
      'format',
      'lines',
      'events',
      'time',
      'rate',
      'levels',
      'topComponents',
      'topMessages',
      'histogram',
      'malformedSamples',
      'invalidTimestampSamples',
      'templates',
    ]);
  });

  it('accepts a templates section and keeps it whole', () => {
    const r = { ...report(), templates };
    expect(statsReportSchema.parse(r).templates).toEqual(templates);
  });

  it('refuses a templates section with a missing or mistyped field, naming it', () => {
    const bad = (t: unknown) => statsReportSchema.safeParse({ ...report(), templates: t });
    const { exact: _, ...noExact } = templates;
    expect(bad(noExact).error?.issues.map((i) => i.path)).toEqual([['templates', 'exact']]);
    const fractional = { ...templates, top: [{ ...templates.top[0]!, count: 1.5 }] };
    expect(bad(fractional).error?.issues.map((i) => i.path)).toEqual([['templates', 'top', 0, 'count']]);
    expect(bad({ ...templates, top: 'none' }).success).toBe(false);
  });
});
