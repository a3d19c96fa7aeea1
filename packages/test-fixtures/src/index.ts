// Test data and helpers shared by the libraries' tests and the CLI's end-to-end tests (packages/cli/test), so
// each fixture exists once. Private: tests import it through the workspace, nothing ships it.
export { HDFS_2K, LOGHUB_DIR, loghubLog, loghubStructuredCsv, REPO_ROOT } from './loghub.js';
export { makeEdgeFiles, makeGrepFixtures, headerCases } from './edge-files.js';
export { bytesDiff } from './bytes-diff.js';
export { gnu } from './gnu-tools.js';
export { parseCsv } from './csv.js';
export { makeTempDir, tempDir } from './temp-dir.js';
export { freePort, onFreePort } from './free-port.js';
export { until } from './until.js';
export {
  startRedis,
  startRedisCluster,
  type RedisNode,
  type RedisTestServer,
  type RedisTestCluster,
} from './redis-servers.js';
