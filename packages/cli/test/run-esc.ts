// The one harness of the end-to-end tests: every test that runs the built `esc` binary goes through here.
// Test data (Loghub samples, edge-case files, GNU tools, temp dirs) comes from @esc/test-fixtures.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { bytesDiff, REPO_ROOT } from '@esc/test-fixtures';

export { REPO_ROOT };

/** The built binary, as a user runs it. End-to-end tests need `pnpm build` first (`pnpm test` does it). */
export const ESC_BIN = fileURLToPath(new URL('../bin/esc.js', import.meta.url));

/** argv prefix of the binary (for shell scripts: `"$0" "$1" kv …`). */
export const ESC = [process.execPath, ESC_BIN];

/**
 * The environment for children: this process's, with `extra` on top (an `undefined` value removes the variable)
 * and without NODE_EXTRA_CA_CERTS, which costs ~110 ms per Node start and no child needs.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

/** Plain output unless a test asks for colour: NO_COLOR set, FORCE_COLOR unset. */
const escEnv = (extra: NodeJS.ProcessEnv = {}) => childEnv({ NO_COLOR: '1', FORCE_COLOR: undefined, ...extra });

export interface RunOptions {
  /** Standard input (empty when not given). */
  input?: string | Buffer;
  /** Variables on top of childEnv()'s (`undefined` removes one). */
  env?: NodeJS.ProcessEnv;
  /** Working directory; the repository root by default, so `logs/HDFS_2k.log` resolves. */
  cwd?: string;
  /** Milliseconds before the child is killed (SIGTERM). */
  timeout?: number;
}

/** What a finished child left: `status` is its exit code (null when a signal ended it), as spawnSync names it. */
export interface EscResult<Out> {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Out;
  stderr: string;
}

function runSync(command: string, args: string[], options: RunOptions, env: NodeJS.ProcessEnv) {
  const res = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd ?? REPO_ROOT,
    env,
    timeout: options.timeout,
    maxBuffer: 1 << 30,
  });
  // EPIPE: the child exited without reading all its input, which some tests mean; a timeout shows as `signal`.
  if (res.error && res.status === null && res.signal === null) throw res.error;
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr.toString('utf8') };
}

/** Runs `esc …args` to completion; stdout as text. */
export function runEsc(args: string[], options: RunOptions = {}): EscResult<string> {
  const res = runSync(process.execPath, [ESC_BIN, ...args], options, escEnv(options.env));
  return { ...res, stdout: res.stdout.toString('utf8') };
}

/** Runs `esc …args` to completion; stdout as bytes (for byte-for-byte comparisons with GNU tools). */
export function runEscBytes(args: string[], options: RunOptions = {}): EscResult<Buffer> {
  return runSync(process.execPath, [ESC_BIN, ...args], options, escEnv(options.env));
}

/**
 * Runs a bash script with `$ESC` set to the binary's command line (unquoted in scripts, so the paths must
 * hold no blanks); for pipes into head and the like.
 */
export function runShell(script: string, options: RunOptions = {}): EscResult<string> {
  const env = escEnv({ ESC: `${process.execPath} ${ESC_BIN}`, ...options.env });
  const res = runSync('bash', ['-c', script], options, env);
  return { ...res, stdout: res.stdout.toString('utf8') };
}

/** An asynchronous run, for children that must run side by side: `code` as the 'close' event names it. */
export interface RunResult<Out = string> {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Out;
  stderr: string;
}

function spawnToEnd(command: string, args: string[], options: RunOptions, env: NodeJS.ProcessEnv) {
  return new Promise<RunResult<Buffer>>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      timeout: options.timeout,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    // A child that exits without reading its input must not fail the test with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs any command (esc through ESC, GNU grep, sh) asynchronously; stdout as text. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const res = await spawnToEnd(command, args, options, childEnv(options.env));
  return { ...res, stdout: res.stdout.toString('utf8') };
}

/** As `run`, with stdout as bytes. */
export function runBytes(command: string, args: string[], options: RunOptions = {}): Promise<RunResult<Buffer>> {
  return spawnToEnd(command, args, options, childEnv(options.env));
}

/** Runs `esc kv --store <store> …args`. */
export function kv(store: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [ESC_BIN, 'kv', '--store', store, ...args], options);
}

/** A child still running: its output so far, and a wait for a condition on it (20 s at most). */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  /** Every piece read from stdout, to check that no partial line was ever printed. */
  stdoutPieces: string[];
  stderr: () => string;
  until(what: () => boolean, label: string): Promise<void>;
  exit: Promise<number | null>;
}

/** Starts a child that a test talks to while it runs (follow mode); the test kills what it started. */
export function startChild(command: string, args: string[], options: Pick<RunOptions, 'env' | 'cwd'> = {}): Running {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const stdoutPieces: string[] = [];
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of waiters) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    stdoutPieces.push(d.toString('latin1'));
    out += d.toString('latin1');
    poke();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    poke();
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      poke();
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stdoutPieces,
    stderr: () => err,
    exit,
    until(what, label) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `timed out waiting for ${label}; stdout tail: ${JSON.stringify(out.slice(-200))}, stderr: ${JSON.stringify(err)}`,
            ),
          );
        }, 20_000);
        const check = () => {
          if (what()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Equal bytes; a failure shows the first offset where they differ and the bytes around it (see bytesDiff). */
export function expectSameBytes(got: Buffer, want: Buffer): void {
  expect(bytesDiff(got, want)).toBeNull();
}
