// Runs abstract-level's own test suite (tape) against EscLevel, the engine's abstract-level adapter.
// Spawned by abstract-level.test.ts; run it by hand with `node packages/engine/test/abstract-level-suite.js`
// after a build. It imports the compiled package, as a Level user would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import suite from 'abstract-level/test/index.js';
import { EscLevel } from '../dist/level.js';

const root = mkdtempSync(join(tmpdir(), 'esc-abstract-level-'));
let n = 0;

// Small buffers so the suite exercises flushes to segments, not only the memtable.
const config = { memtableSize: 64 * 1024 };

suite({
  test,
  // Every database gets a directory of its own that does not exist yet (createIfMissing tests rely on it).
  factory: (options) => new EscLevel(join(root, `db-${n++}`), { ...options, config }),
});

test.onFinish(() => rmSync(root, { recursive: true, force: true }));
