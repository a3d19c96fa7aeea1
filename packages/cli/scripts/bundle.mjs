// Bundles the compiled CLI (dist/) into bundle/: one small entry, one chunk per subcommand (still loaded only
// when that subcommand runs) and shared chunks. Start-up is dominated by Node's ES module loader (resolving,
// reading and linking ~50 modules costs ~25 ms of CPU); a bundle loads a handful of files instead.
// The output is plain compiled JavaScript made from tsc's output; bin/esc.js runs it.
//   node scripts/bundle.mjs             always rebuild
//   node scripts/bundle.mjs --if-stale  only when some package's dist/ is newer than the bundle (test set-up)
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = join(root, '..');
const outdir = join(root, 'bundle');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  const main = join(outdir, 'main.js');
  if (!existsSync(main)) return true;
  const builtAt = statSync(main).mtimeMs;
  return readdirSync(packagesDir).some((pkg) => {
    const dist = join(packagesDir, pkg, 'dist');
    return existsSync(dist) && newestMtime(dist) > builtAt;
  });
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

/**
 * `import { readFileSync } from 'node:fs'` in an ES module makes Node build a module facade that reads every export
 * of the built-in, and fs's lazy ReadStream/WriteStream getters then load Node's ~19 stream modules: ~8 M of the
 * ~160 M instructions of an `esc kv get` (callgrind), paid by every command. So the bundle's own static imports of
 * built-ins read the CommonJS object instead, through process.getBuiltinModule (Node >= 20.16), exporting its
 * plain properties (never a getter, so nothing lazy is loaded). require() calls of CommonJS dependencies and
 * dynamic imports stay as they are.
 */
const builtinsAsObjects = {
  name: 'builtins-as-objects',
  setup(build) {
    const require = createRequire(import.meta.url);
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin-object' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-object' }, (args) => {
      const names = Object.entries(Object.getOwnPropertyDescriptors(require(args.path)))
        .filter(([name, d]) => 'value' in d && name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name))
        .map(([name]) => name)
        .sort();
      const id = JSON.stringify(args.path);
      return {
        contents: `const m = process.getBuiltinModule(${id});\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`,
        loader: 'js',
      };
    });
  },
};

// Build beside the old bundle and swap by rename, so a test run already using the old one never finds it gone.
const next = `${outdir}.${process.pid}.tmp`;
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'dist/main.js',
    // The engine compacts and flushes in worker threads that it starts from a file beside its own code.
    'background-worker': '../engine/dist/background-worker.js',
    // The streams log cleaner rewrites segments on a thread started from a file beside its code, likewise.
    'cleaner-worker': '../streams/dist/cleaner-worker.js',
  },
  outdir: next,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded on demand with createRequire (colour on, progress bar drawn), or a native binding (@node-rs/crc32):
  // left to Node's resolver.
  external: ['chalk', 'cli-progress', 'snappy', '@node-rs/crc32'],
  plugins: [builtinsAsObjects],
  // CommonJS dependencies (commander, proper-lockfile) call require() for Node's built-ins: those are read with
  // process.getBuiltinModule, so no chunk imports node:module (which loads Node's source-map code) up front.
  banner: {
    js: "const require = (id) => process.getBuiltinModule(id) ?? process.getBuiltinModule('node:module').createRequire(import.meta.url)(id);",
  },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
// The HTTP dashboard's page and assets (built into @esc/http's dist by its dashboard/build.mjs) sit beside the
// chunk that serves them, which looks for ./dashboard/ first: the bundle carries them, whatever resolves @esc/http.
const dashboard = join(packagesDir, 'http', 'dist', 'dashboard');
if (existsSync(dashboard)) cpSync(dashboard, join(next, 'dashboard'), { recursive: true });
const old = `${outdir}.${process.pid}.old`;
if (existsSync(outdir)) renameSync(outdir, old);
renameSync(next, outdir);
rmSync(old, { recursive: true, force: true });
