import { readFileSync } from 'node:fs';
import { loghubStructuredCsv, parseCsv } from '@esc/test-fixtures';

/** The eleven Loghub samples with ground truth, and logparser's Drain grouping accuracy on each. */
export const DRAIN_GA: Readonly<Record<string, number>> = {
  HDFS: 0.9975,
  Hadoop: 0.9475,
  Spark: 0.92,
  Zookeeper: 0.9665,
  BGL: 0.9625,
  HPC: 0.887,
  Linux: 0.69,
  Apache: 1.0,
  Proxifier: 0.5265,
  OpenSSH: 0.7875,
  OpenStack: 0.7325,
};

export interface LabelledLine {
  content: string;
  eventId: string;
  template: string;
}

/** A sample's lines with their ground truth (a missing file fails the test: nothing is skipped). */
export function loadSample(system: string): LabelledLine[] {
  const path = loghubStructuredCsv(system);
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const header = rows[0]!;
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${path}: no ${name} column`);
    return i;
  };
  const [c, e, t] = [col('Content'), col('EventId'), col('EventTemplate')];
  return rows.slice(1).map((r) => ({ content: r[c]!, eventId: r[e]!, template: r[t]! }));
}
