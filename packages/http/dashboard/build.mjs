// `pnpm build` step of @esc/http: copies the dashboard (this folder's page, script and styles, and uPlot from
// its npm package) into dist/dashboard/ (the page, and assets/), each asset renamed with a hash of its content so the server can let
// browsers cache it for good (the page itself is revalidated). Nothing is fetched or built at run time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'dashboard');
const uplot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));

const assets = {
  'dashboard.js': join(here, 'dashboard.js'),
  'dashboard.css': join(here, 'dashboard.css'),
  'uPlot.iife.min.js': join(uplot, 'dist', 'uPlot.iife.min.js'),
  'uPlot.min.css': join(uplot, 'dist', 'uPlot.min.css'),
};

const next = `${out}.${process.pid}.tmp`;
rmSync(next, { recursive: true, force: true });
mkdirSync(next, { recursive: true });
let page = readFileSync(join(here, 'index.html'), 'utf8');
for (const [name, path] of Object.entries(assets)) {
  const content = readFileSync(path);
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 10);
  const dot = name.indexOf('.');
  const hashed = `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
  mkdirSync(join(next, 'assets'), { recursive: true });
  writeFileSync(join(next, 'assets', hashed), content);
  if (!page.includes(`"${name}"`)) throw new Error(`index.html does not reference ${name}`);
  page = page.replace(`"${name}"`, `"assets/${hashed}"`);
}
writeFileSync(join(next, 'index.html'), page);
// Swap whole, so a running server or test never sees a half-written folder.
rmSync(out, { recursive: true, force: true });
mkdirSync(dirname(out), { recursive: true });
renameSync(next, out);
