import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const ESC_BIN = join(REPO_ROOT, 'packages/cli/bin/esc.js');
const LOGHUB = fileURLToPath(new URL('./fixtures/loghub/', import.meta.url));

/** Loghub samples copied into the working directory of the differential tests. */
export const LOGHUB_FILES = ['HDFS_2k.log', 'Apache_2k.log', 'Linux_2k.log', 'OpenSSH_2k.log', 'Proxifier_2k.log'];

/**
 * A fresh directory holding the Loghub samples (HDFS with CRLF, Proxifier with LF, others without a final
 * newline) and the edge cases grep implementations get wrong: LF and CRLF, no final newline, an empty file,
 * a 16+ MiB line, invalid UTF-8, NUL bytes early and late. Tests run with it as the working directory so
 * file names print the same for grep and esc.
 */
export function makeGrepFixtures(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'esc-loggrep-'));
  copyFileSync(join(REPO_ROOT, 'logs/HDFS_2k.log'), join(dir, 'HDFS_2k.log'));
  for (const name of LOGHUB_FILES.slice(1)) copyFileSync(join(LOGHUB, name), join(dir, name));
  const lines = Array.from(
    { length: 300 },
    (_, i) => `line ${i} ${i % 7 === 0 ? 'ERROR disk full' : i % 3 === 0 ? 'WARN slow' : 'INFO ok'} id=${i * 37}`,
  );
  const files: Record<string, Buffer> = {
    'lf.log': Buffer.from(`${lines.join('\n')}\n`),
    'crlf.log': Buffer.from(`${lines.join('\r\n')}\r\n`),
    'no-final-newline.log': Buffer.from('alpha ERROR\nbeta\r\ngamma ERROR\n\ndelta ERROR'),
    'empty.log': Buffer.alloc(0),
    'blank-lines.log': Buffer.from('\n\nx\n\n'),
    'invalid-utf8.log': Buffer.concat([
      Buffer.from('ok ERROR line\n'),
      Buffer.from([0xff, 0xfe, 0x45, 0x52, 0x52, 0x4f, 0x52, 0x0a, 0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0a, 0x80, 0x80]),
      Buffer.from('\r\nlast \xe9 latin1 ERROR line\n', 'latin1'),
      Buffer.from('caf\u00e9 ERROR utf8\n', 'utf8'),
    ]),
    'long-line.log': Buffer.concat([
      Buffer.from('first ERROR\nsecond\n'),
      Buffer.alloc(16 * 1024 * 1024 + 123, 'y'),
      Buffer.from('ERROR at the end of a long line\nafter 1\nafter 2 ERROR'),
    ]),
    'binary-early.bin': Buffer.from('head ERROR\nnul \0 here\nERROR again\n'),
    'binary-nomatch.bin': Buffer.from('nothing\0here\n'),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  status: number | null;
}

/** Runs a command to completion, optionally feeding `input` to its stdin. */
export function run(
  argv: string[],
  options: { cwd: string; input?: Buffer; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? { ...process.env, LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), status }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? Buffer.alloc(0));
  });
}

/**
 * GNU grep and esc loggrep on the same arguments; grep runs with LC_ALL=C so both compare bytes, and with -E
 * (unless -F is given: grep refuses both) since esc's patterns are extended regular expressions.
 */
export async function grepAndEsc(
  args: string[],
  cwd: string,
  input?: Buffer,
): Promise<{ grep: RunResult; esc: RunResult }> {
  const env = { ...process.env, LC_ALL: 'C', NO_COLOR: '', FORCE_COLOR: undefined as unknown as string };
  delete env.FORCE_COLOR;
  const [grep, esc] = await Promise.all([
    run(['/usr/bin/grep', ...(args.some((a) => /^-[a-zA-Z]*F/.test(a)) ? [] : ['-E']), ...args], { cwd, input, env }),
    run([process.execPath, ESC_BIN, 'loggrep', ...args], { cwd, input, env }),
  ]);
  return { grep, esc };
}

/** grep's stderr with its program name replaced by esc's, so messages compare line for line. */
export const asEscMessages = (stderr: string) => stderr.replace(/^(\/usr\/bin\/)?grep: /gm, 'esc: ');
