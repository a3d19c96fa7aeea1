import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@esc/test-fixtures';
import { REPO_ROOT } from './run-esc.js';

const PUBLISHED = [
  'core',
  'logtools',
  'parser',
  'templates',
  'archive',
  'redis',
  'kv',
  'engine',
  'streams',
  'http',
  'serve',
  'cli',
];

/**
 * Every package must be publishable: `pnpm pack` tarballs install with plain npm into an empty project,
 * where the packages import with their types and `npx esc` runs. This is what a user of the libraries gets.
 */
describe('published packages', () => {
  const work = tempDir('esc-pack');
  it('install from their tarballs into an empty project, typed and runnable', () => {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const pkg of PUBLISHED) {
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
        cwd: join(REPO_ROOT, 'packages', pkg),
        stdio: 'pipe',
      });
    }
    const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
    expect(files).toHaveLength(PUBLISHED.length);

    // Packed manifests must not leak workspace: ranges or test files.
    for (const f of files) {
      const listing = execFileSync('tar', ['-tzf', join(tarballs, f)], { encoding: 'utf8' });
      expect(listing, f).not.toMatch(/\.test\.(js|d\.ts)/);
      const manifest = execFileSync('tar', ['-xOzf', join(tarballs, f), 'package/package.json'], { encoding: 'utf8' });
      expect(manifest, f).not.toContain('workspace:');
    }

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        '@types/node@20',
        ...files.map((f) => join(tarballs, f)),
      ],
      {
        cwd: project,
        stdio: 'pipe',
      },
    );

    // Types: a strict NodeNext program that uses each package's API must type-check against the installed .d.ts.
    writeFileSync(
      join(project, 'consumer.ts'),
      readFileSync(new URL('./fixtures/consumer.ts', import.meta.url), 'utf8'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const typecheck = spawnSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    expect(typecheck.stdout + typecheck.stderr).toBe('');
    expect(typecheck.status).toBe(0);

    // Runtime: the emitted program runs against the packages' compiled JavaScript.
    const out = execFileSync(process.execPath, ['consumer.js'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(out).toContain('consumer ok');

    // The binary: npx finds it and it runs.
    const help = execFileSync('npx', ['--no-install', 'esc', '--help'], { cwd: project, encoding: 'utf8' });
    expect(help).toContain('Usage: esc <command>');
  }, 240_000);
});
