import type { BenchSuite } from '../bench-suite.js';

export const suite: BenchSuite = {
  name: 'logtools',
  title: 'logtools',
  async run() {
    return 'Not measured yet.';
  },
};
