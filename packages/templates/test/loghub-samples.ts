import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// The parser's ground-truth test reads the same files with the same reader.
import { parseCsv } from '../../parser/test/csv.js';

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

// The repository's copy (with its licence note) first; the shared data beside the clone otherwise.
const PLACES = [
  (system: string) =>
    fileURLToPath(new URL(`../../parser/test/fixtures/loghub/${system}_2k.log_structured.csv`, import.meta.url)),
  (system: string) =>
    fileURLToPath(new URL(`../../../../shared/data/loghub/${system}/${system}_2k.log_structured.csv`, import.meta.url)),
];

export interface LabelledLine {
  content: string;
  eventId: string;
  template: string;
}

/** A sample's lines with their ground truth; throws (never skips) when no copy is found. */
export function loadSample(system: string): LabelledLine[] {
  const path = PLACES.map((p) => p(system)).find((p) => existsSync(p));
  if (path === undefined) throw new Error(`no ${system}_2k.log_structured.csv in ${PLACES.map((p) => p(system))}`);
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
