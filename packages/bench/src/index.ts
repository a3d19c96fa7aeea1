export {
  measure,
  alternate,
  medianOf,
  median,
  table,
  fmtMs,
  fmtRatio,
  fmtMiB,
  fmtRate,
  type CommandSpec,
  type Measurement,
  type Summary,
} from './measure.js';
export { generateHdfsLog, prng } from './hdfs-generator.js';
export { createContext, REPO_ROOT, type BenchContext } from './bench-context.js';
export type { BenchSuite } from './bench-suite.js';
