import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { createContext, REPO_ROOT } from './bench-context.js';
import type { BenchSuite } from './bench-suite.js';

// Suites load lazily so `--only kv` does not import the others.
const SUITES: Record<string, () => Promise<{ suite: BenchSuite }>> = {
  loggrep: () => import('./suites/loggrep.js'),
  logtail: () => import('./suites/logtail.js'),
  parser: () => import('./suites/parser.js'),
  kv: () => import('./suites/kv.js'),
  engine: () => import('./suites/engine.js'),
  templates: () => import('./suites/templates.js'),
  streams: () => import('./suites/streams.js'),
  serve: () => import('./suites/serve.js'),
  'serve-pls': () => import('./suites/serve-pls.js'),
  http: () => import('./suites/http.js'),
  'http-alerts': () => import('./suites/http-alerts.js'),
  archive: () => import('./suites/archive.js'),
  'scale-out': () => import('./suites/scale-out.js'),
};

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)i?B?$/i.exec(text);
  if (!m) throw new Error(`bad --size '${text}' (e.g. 1G, 256M)`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * mult);
}

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1G' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
// The binary under test loads the CLI bundle: make it from the current dist/ (see packages/cli/scripts/bundle.mjs).
execFileSync(process.execPath, [join(REPO_ROOT, 'packages/cli/scripts/bundle.mjs')], { stdio: 'inherit' });
const names = values.only ? values.only.split(',') : Object.keys(SUITES);
const ctx = createContext(parseSize(values.size!), Number(values.rounds));
const outPath = join(REPO_ROOT, 'docs/benchmarks.md');
let doc = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '';

const header = `# Benchmarks

Produced by \`pnpm bench\` (\`node packages/bench/dist/run.js --size 1G --rounds 5\`; \`--only SUITE\` reruns one
section). Every comparison runs the esc command and its anchor alternately in the same run, output into a pipe,
page cache warm; times are medians, ratios are esc ÷ anchor measured in that run (lower is better for times).
Peak memory is the child's maximum RSS from wait4(2). Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'},
${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}; shared and noisy, so rerun before trusting a small difference.
`;

for (const name of names) {
  const load = SUITES[name];
  if (!load) throw new Error(`unknown suite '${name}' (have: ${Object.keys(SUITES).join(', ')})`);
  const { suite } = await load();
  ctx.log(`== ${suite.title}`);
  const body = await suite.run(ctx);
  const section = `<!-- suite:${name} -->\n## ${suite.title}\n\n${body.trim()}\n<!-- /suite:${name} -->`;
  const re = new RegExp(`<!-- suite:${name} -->[\\s\\S]*?<!-- /suite:${name} -->`);
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
}
doc = doc.replace(/^[\s\S]*?(?=<!-- suite:|$)/, `${header}\n`);
writeFileSync(outPath, `${doc.trimEnd()}\n`);
ctx.log(`wrote ${outPath}`);
