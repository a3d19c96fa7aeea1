import type { BenchSuite } from '../bench-suite.js';

export const suite: BenchSuite = {
  name: 'parser',
  title: 'parser',
  async run() {
    return 'Not measured yet.';
  },
};
