import { BufferedOutput, ExitCode } from '@esc/core';

/** Prints lines of data on stdout (through BufferedOutput, so a closed pipe ends quietly) and succeeds. */
export function emitLines(lines: string[]): number {
  const out = new BufferedOutput(1);
  for (const line of lines) out.write(`${line}\n`);
  out.flush();
  return ExitCode.Ok;
}
