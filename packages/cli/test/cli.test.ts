import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-registry.js';
import { runEsc, runShell } from './run-esc.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

describe('esc (the binary)', () => {
  it('prints its version with --version and -V', () => {
    for (const flag of ['--version', '-V']) {
      const res = runEsc([flag]);
      expect(res).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('lists every subcommand in --help', () => {
    const res = runEsc(['--help']);
    expect(res.status).toBe(0);
    for (const c of COMMANDS) expect(res.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
  });

  it('treats a bare invocation as a usage error (usage on stderr, exit 2)', () => {
    const res = runEsc([]);
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('Usage: esc <command>');
  });

  it('rejects an unknown command with one line and exit 2', () => {
    const res = runEsc(['frobnicate']);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe("esc: 'frobnicate' is not an esc command (see 'esc --help')\n");
  });

  it('gives every subcommand its own --help, exit 0', () => {
    for (const c of COMMANDS) {
      const res = runEsc([c.name, '--help']);
      expect(res.status, c.name).toBe(0);
      expect(res.stdout, c.name).toContain(`esc ${c.name}`);
      // `esc help X` is the same page.
      expect(runEsc(['help', c.name]).stdout).toBe(res.stdout);
    }
  });

  it('rejects an unknown option of every subcommand with one line and exit 2', () => {
    for (const c of COMMANDS) {
      const res = runEsc([c.name, '--no-such-flag', 'x']);
      expect(res.status, c.name).toBe(2);
      expect(res.stderr, c.name).toBe(`esc: ${c.name}: unknown option '--no-such-flag' (see esc ${c.name} --help)\n`);
    }
  });

  it('reports every kind of usage error of a subcommand with one line and exit 2', () => {
    const cases: [string[], string][] = [
      [['kv', 'set', 'a'], "esc: kv set: missing required argument 'value' (see esc kv set --help)"],
      [['kv', 'bogus'], "esc: kv: unknown command 'bogus' (see esc kv --help)"],
      [['engine'], 'esc: engine: missing command (see esc engine --help)'],
      [['engine', 'put'], "esc: engine put: missing required argument 'dir' (see esc engine put --help)"],
      [
        ['engine', 'get', 'd', 'k', 'extra'],
        "esc: engine get: too many arguments for 'get'. Expected 2 arguments but got 3 (see esc engine get --help)",
      ],
      [['logtail', '-n'], "esc: logtail: option '-n, --lines <N>' argument missing (see esc logtail --help)"],
      [['parse', '--format'], "esc: parse: option '-f, --format <format>' argument missing (see esc parse --help)"],
    ];
    for (const [args, line] of cases) {
      const res = runEsc(args);
      expect([res.status, res.stdout, res.stderr], args.join(' ')).toEqual([2, '', `${line}\n`]);
    }
  });

  it('rejects a bad --color value with one line and exit 2, in every command that colours', () => {
    for (const args of [
      ['loggrep', '--color=sometimes', 'x', 'logs/HDFS_2k.log'],
      ['parse', '--color=sometimes', 'logs/HDFS_2k.log'],
    ]) {
      const res = runEsc(args);
      expect(res.status, args[0]).toBe(2);
      expect(res.stderr, args[0]).toBe("esc: invalid --color value 'sometimes' (use auto, always or never)\n");
    }
  });

  it('ends quietly when the reader of its output goes away', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, in single quotes on purpose
    const res = runShell('$ESC --help | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}"');
    expect(res.stdout).toBe('0\n');
    expect(res.stderr).toBe('');
  });
});
