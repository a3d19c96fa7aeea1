import type { BenchContext } from '../bench-context.js';
import type { BenchSuite } from '../bench-suite.js';
import { kvRows } from '../scale-out/kv-rows.js';
import { topicRows } from '../scale-out/topic-rows.js';

/** `pnpm bench --only scale-out`: the kv store and topics on redis-server and Redis Cluster (issue 14). */
export const suite: BenchSuite = {
  name: 'scale-out',
  title: 'Scale-out: esc on Redis and Redis Cluster',
  async run(ctx: BenchContext): Promise<string> {
    return `${await kvRows(ctx)}\n\n### topics on Redis Streams\n\n${await topicRows(ctx)}`;
  },
};
