import type { BenchSuite } from '../bench-suite.js';

export const suite: BenchSuite = {
  name: 'kv',
  title: 'kv',
  async run() {
    return 'Not measured yet.';
  },
};
