import type { BenchContext } from './bench-context.js';

/** One section of docs/benchmarks.md: a suite measures, then returns its markdown (tables and notes). */
export interface BenchSuite {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<string>;
}
