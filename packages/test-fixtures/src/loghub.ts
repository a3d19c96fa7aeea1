import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The repository's HDFS sample (CRLF line endings), also the Loghub HDFS test log. */
export const HDFS_2K = join(REPO_ROOT, 'logs/HDFS_2k.log');

/** The Loghub samples (see loghub/README.md and the licence beside them). */
export const LOGHUB_DIR = fileURLToPath(new URL('../loghub/', import.meta.url));

/** `<System>_2k.log` of a Loghub system (`HDFS`, `Apache`, …). */
export function loghubLog(system: string): string {
  return system === 'HDFS' ? HDFS_2K : join(LOGHUB_DIR, `${system}_2k.log`);
}

/** The fields logparser extracted from `<System>_2k.log`: the parser's ground truth. */
export function loghubStructuredCsv(system: string): string {
  return join(LOGHUB_DIR, `${system}_2k.log_structured.csv`);
}
