import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHdfsLog } from './hdfs-generator.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface BenchContext {
  /** Size of the generated log in bytes (default 1 GiB, `--size 64M` for a quick run). */
  sizeBytes: number;
  /** Rounds of alternating runs per comparison (medians are over these). */
  rounds: number;
  /** Scratch directory, gitignored, kept between runs so big inputs are generated once. */
  dataDir: string;
  /** argv prefix that runs the built esc binary: ['node', '.../packages/cli/bin/esc.js']. */
  esc: string[];
  /** Path of the generated HDFS log of `sizeBytes` (generated on first use, then reused). */
  hdfsLog(): string;
  log(message: string): void;
}

export function createContext(sizeBytes: number, rounds: number): BenchContext {
  const dataDir = join(REPO_ROOT, 'bench-data');
  mkdirSync(dataDir, { recursive: true });
  return {
    sizeBytes,
    rounds,
    dataDir,
    esc: [process.execPath, join(REPO_ROOT, 'packages/cli/bin/esc.js')],
    hdfsLog() {
      const path = join(dataDir, `hdfs-${sizeBytes}.log`);
      if (!existsSync(path) || statSync(path).size < sizeBytes) {
        process.stderr.write(`generating ${path} …\n`);
        generateHdfsLog(path, sizeBytes);
      }
      return path;
    },
    log: (message) => process.stderr.write(`${message}\n`),
  };
}
