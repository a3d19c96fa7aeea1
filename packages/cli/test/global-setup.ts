import { execFileSync } from 'node:child_process';

// The workspace's vitest global setup, kept with the CLI whose bundle it refreshes (the top level is fixed by the
// product card). End-to-end tests run the shipped binary, which loads the bundle made from dist/. Re-bundle when
// dist/ is newer than the bundle (esbuild takes a fraction of a second), so a `tsc -b` followed by `vitest run`
// never tests a stale bundle.
export default function setup(): void {
  execFileSync(process.execPath, ['packages/cli/scripts/bundle.mjs', '--if-stale'], { stdio: 'inherit' });
}
