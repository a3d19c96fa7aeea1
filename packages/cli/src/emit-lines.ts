import { BufferedOutput, ExitCode } from '@esc/core';

/** Prints lines of data on stdout (through BufferedOutput, so a closed pipe ends quietly) and succeeds. */
export function emitLines(lines: readonly (string | Uint8Array)[]): number {
  const out = new BufferedOutput(1);
  for (const line of lines) {
    if (typeof line === 'string') out.write(`${line}\n`);
    else {
      out.write(line);
      out.write('\n');
    }
  }
  out.flush();
  return ExitCode.Ok;
}
