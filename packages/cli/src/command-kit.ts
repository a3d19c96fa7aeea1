import { Command, InvalidArgumentError, Option, type HelpContext } from 'commander';
import { COLOR_MODES, parseColorMode, UsageError, type ColorMode } from '@esc/core';
import { nameCommandInError } from './error-reporter.js';

/**
 * A subcommand with esc's conventions: a usage error is one line on stderr and exit 2 (as grep's are), help
 * goes to stdout and exits 0, and the action's returned number becomes the exit status.
 */
export function newCommand(name: string, description: string): Command {
  const command = new EscCommand(name);
  return command
    .description(description)
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`${usageErrorLine(command, message)}\n`) });
}

/**
 * A command with subcommands run without one (`esc kv`), or `help` of an unknown one (`esc kv help nope`), is a
 * usage error like any other; commander would print the whole help on stderr.
 */
class EscCommand extends Command {
  override help(context?: HelpContext | ((str: string) => string)): never {
    if (typeof context === 'object' && context.error) {
      const name = this.args.at(-1);
      this.error(name === undefined ? 'missing command' : `unknown command '${name}'`, {
        code: 'commander.unknownCommand',
        exitCode: 2,
      });
    }
    return super.help(context as HelpContext);
  }
}

/**
 * `esc: kv set: missing required argument 'value' (see esc kv set --help)`: the path is read from the command
 * tree when the error happens (main names the top command `esc <name>`), and commander's multi-line messages
 * (`… (Did you mean set?)`) are folded onto the one line.
 */
function usageErrorLine(command: Command, message: string): string {
  const names = commandPath(command);
  const text = message
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
  return `esc: ${names}: ${text} (see esc ${names} --help)`;
}

/** The command's path below `esc`: `kv set`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name().replace(/^esc /, ''));
  return names.join(' ');
}

/** nameCommandInError with the path read from the command tree. */
export function nameCommandInUsageError(err: unknown, command: Command): unknown {
  return nameCommandInError(err, commandPath(command));
}

/** `--color[=WHEN]`, as grep spells it: bare `--color` means auto. */
export function colorOption(): Option {
  return new Option('--color [when]', `colour the output: ${COLOR_MODES.join(', ')}`)
    .argParser((value: string | boolean) => (typeof value === 'string' ? parseColorMode(value) : 'auto'))
    .default('auto' as ColorMode);
}

/** Parses a non-negative integer flag value, or throws a usage error naming the flag. */
export function intArg(flag: string, min = 0) {
  return (value: string): number => {
    if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`${flag}: invalid number '${value}'`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag}: invalid number '${value}'`);
    return n;
  };
}

export { Command, InvalidArgumentError, Option };

/**
 * Wraps an action that returns its exit status. Errors propagate to main, which reports them in one place.
 */
export function runAction<A extends unknown[]>(fn: (...args: A) => Promise<number> | number) {
  return async (...args: A): Promise<void> => {
    process.exitCode = await fn(...args);
  };
}
