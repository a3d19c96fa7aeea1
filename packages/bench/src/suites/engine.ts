import type { BenchSuite } from '../bench-suite.js';

export const suite: BenchSuite = {
  name: 'engine',
  title: 'engine',
  async run() {
    return 'Not measured yet.';
  },
};
