// Bundles the compiled CLI (dist/) into bundle/: one small entry, one chunk per subcommand (still loaded only
// when that subcommand runs) and shared chunks. Start-up is dominated by Node's ES module loader (resolving,
// reading and linking ~50 modules costs ~25 ms of CPU); a bundle loads a handful of files instead.
// The output is still plain compiled JavaScript from tsc's output; bin/esc.js runs it.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}bundle`;
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'dist/main.js',
    // The engine compacts in a worker thread that it starts from a file beside its own code.
    'compaction-worker': '../engine/dist/compaction-worker.js',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded on demand with createRequire (colour on, progress bar drawn): left to Node's resolver.
  external: ['chalk', 'cli-progress'],
  // CommonJS dependencies (commander, proper-lockfile) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __escRequire } from 'node:module'; const require = __escRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
