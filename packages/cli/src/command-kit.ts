import { Command, CommanderError, Option } from 'commander';
import { COLOR_MODES, parseColorMode, UsageError, type ColorMode } from '@esc/core';

/**
 * A subcommand with esc's conventions: usage errors exit 2 (as grep's do), help goes to stdout and exits 0,
 * and the action's returned number becomes the exit status.
 */
export function newCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`esc ${name}: ${str.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(run with --help for usage)');
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

export { Command, CommanderError, Option };

/**
 * Wraps an action that returns its exit status. Errors propagate to main, which reports them in one place.
 */
export function runAction<A extends unknown[]>(fn: (...args: A) => Promise<number> | number) {
  return async (...args: A): Promise<void> => {
    process.exitCode = await fn(...args);
  };
}
