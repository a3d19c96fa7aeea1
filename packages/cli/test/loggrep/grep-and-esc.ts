import { ESC_BIN, runBytes, type RunResult } from '../run-esc.js';

/**
 * GNU grep and esc loggrep on the same arguments, in `cwd` (the grep fixtures, so file names print the same);
 * grep runs with LC_ALL=C so both compare bytes, and with -E (unless -F is given: grep refuses both) since
 * esc's patterns are extended regular expressions.
 */
export async function grepAndEsc(
  args: string[],
  cwd: string,
  input?: Buffer,
): Promise<{ grep: RunResult<Buffer>; esc: RunResult<Buffer> }> {
  const options = { cwd, input, env: { LC_ALL: 'C', NO_COLOR: '', FORCE_COLOR: undefined } };
  const [grep, esc] = await Promise.all([
    runBytes('/usr/bin/grep', [...(args.some((a) => /^-[a-zA-Z]*F/.test(a)) ? [] : ['-E']), ...args], options),
    runBytes(process.execPath, [ESC_BIN, 'loggrep', ...args], options),
  ]);
  return { grep, esc };
}

/** grep's stderr with its program name replaced by esc's, so messages compare line for line. */
export const asEscMessages = (stderr: string) => stderr.replace(/^(\/usr\/bin\/)?grep: /gm, 'esc: ');
