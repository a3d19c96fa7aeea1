import type { BenchSuite } from '../bench-suite.js';

export const suite: BenchSuite = {
  name: 'loggrep',
  title: 'loggrep',
  async run() {
    return 'Not measured yet.';
  },
};
