import { createInterface } from 'node:readline';
import { BufferedOutput, EscError, ExitCode } from '@esc/core';
import type { Engine } from '@esc/engine';
import { statsText } from './stats-text.js';

const HELP = `commands:
  put KEY VALUE     store VALUE (the rest of the line) under KEY
  get KEY           print the value of KEY, or (not found)
  delete KEY        remove KEY
  list [FROM [TO]]  print KEY = VALUE for keys >= FROM and < TO, in order
  stats             the engine's figures
  compact           merge segments now
  help              this text
  exit              leave (end of input does too)
Quote keys or values with spaces: put "a key" "a value".
`;

/**
 * The interactive engine shell: one command per line from standard input, piped or typed. A failed
 * command prints `esc: …` on stderr and the shell goes on; the exit status is 2 if any command failed.
 */
export async function runShell(engine: Engine, interactive: boolean): Promise<number> {
  const out = new BufferedOutput(1);
  const rl = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
  });
  let status: number = ExitCode.Ok;
  if (interactive) {
    process.stdout.write(`esc engine shell on ${engine.dir}; 'help' lists the commands\n`);
    rl.setPrompt('esc> ');
    rl.prompt();
  }
  try {
    for await (const line of rl) {
      let words: string[];
      try {
        words = tokenize(line);
        if (words.length > 0 && (await runLine(engine, words, out)) === 'exit') break;
      } catch (err) {
        status = ExitCode.Error;
        out.flush();
        process.stderr.write(`esc: ${err instanceof EscError ? err.describe() : (err as Error).message}\n`);
      }
      out.flush();
      if (interactive) rl.prompt();
    }
  } finally {
    rl.close();
    out.flush();
  }
  return status;
}

async function runLine(engine: Engine, words: string[], out: BufferedOutput): Promise<'exit' | undefined> {
  const [command, ...args] = words as [string, ...string[]];
  const need = (min: number, max: number, usage: string) => {
    if (args.length < min || args.length > max) throw new EscError(`usage: ${usage}`);
  };
  switch (command.toLowerCase()) {
    case 'put':
      if (args.length < 2) throw new EscError('usage: put KEY VALUE');
      await engine.put(args[0]!, args.slice(1).join(' '));
      out.write('OK\n');
      return;
    case 'get': {
      need(1, 1, 'get KEY');
      const value = await engine.get(args[0]!);
      out.write(value === undefined ? '(not found)\n' : value);
      if (value !== undefined) out.write('\n');
      return;
    }
    case 'delete':
    case 'del':
      need(1, 1, 'delete KEY');
      await engine.del(args[0]!);
      out.write('OK\n');
      return;
    case 'list': {
      need(0, 2, 'list [FROM [TO]]');
      const it = engine.iterator({
        ...(args[0] !== undefined ? { gte: args[0] } : {}),
        ...(args[1] !== undefined ? { lt: args[1] } : {}),
      });
      let n = 0;
      try {
        for await (const [key, value] of it) {
          out.write(key);
          out.write(' = ');
          out.write(value);
          out.write('\n');
          n++;
        }
      } finally {
        await it.close();
      }
      out.write(`(${n} ${n === 1 ? 'entry' : 'entries'})\n`);
      return;
    }
    case 'stats':
      need(0, 0, 'stats');
      out.write(statsText(await engine.stats()));
      return;
    case 'compact':
      need(0, 0, 'compact');
      await engine.compact();
      out.write(`OK (${(await engine.stats()).totals.liveSegments} live segments)\n`);
      return;
    case 'help':
    case '?':
      out.write(HELP);
      return;
    case 'exit':
    case 'quit':
      return 'exit';
    default:
      throw new EscError(`unknown command '${command}' (try 'help')`);
  }
}

/** Splits a line into words; double quotes group words and `\"` or `\\` escape inside them. */
function tokenize(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return words;
}
