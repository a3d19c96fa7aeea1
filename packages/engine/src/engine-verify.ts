import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptionError, isErrno } from '@esc/core';
import { MANIFEST_FILE, decodeManifest } from './manifest.js';
import { verifySegment, type VerifyProblem } from './segment-verify.js';
import type { Version } from './version.js';
import { walFileName } from './wal-format.js';
import { readWal } from './wal-reader.js';

export interface VerifyReport {
  ok: boolean;
  filesChecked: number;
  problems: VerifyProblem[];
}

/**
 * Checks every checksum of the manifest, every live segment and the logs numbered `logs` in `walDir`, as
 * LevelDB's `leveldbutil dump` and RocksDB's `ldb checkconsistency`: damage is listed with file and offset,
 * and checking goes on past it.
 */
export async function verifyFiles(
  dir: string,
  version: Version,
  walDir: string,
  logs: number[],
): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  let filesChecked = 0;
  const manifestPath = join(dir, MANIFEST_FILE);
  filesChecked++;
  try {
    decodeManifest(manifestPath, readFileSync(manifestPath));
  } catch (err) {
    if (!(err instanceof CorruptionError)) throw err;
    problems.push({ file: manifestPath, offset: err.offset ?? 0, message: err.message });
  }
  const segs = version.all();
  for (const s of segs) s.ref();
  try {
    for (const s of segs) {
      filesChecked++;
      problems.push(...verifySegment(s));
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    for (const s of segs) s.unref();
  }
  for (const n of logs) {
    const path = join(walDir, walFileName(n));
    filesChecked++;
    try {
      const contents = readWal(path);
      if (contents.torn)
        problems.push({ file: path, offset: contents.torn.offset, message: `torn tail: ${contents.torn.reason}` });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue;
      if (!(err instanceof CorruptionError)) throw err;
      problems.push({ file: path, offset: err.offset ?? 0, message: err.message });
    }
  }
  return { ok: problems.length === 0, filesChecked, problems };
}
