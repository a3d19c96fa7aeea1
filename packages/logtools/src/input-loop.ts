import { EscError, ExitCode, openInput, type InputSource } from '@esc/core';

/**
 * head and tail's loop over inputs: open each in turn (`-` is standard input); an input that cannot be opened
 * or read is reported and the others still go. `visit` returns true to keep its source open (tail -f);
 * `onFailure` hears about inputs that failed. Returns 0, or 2 if any input failed. A broken output pipe
 * (an EscError with exit code 0) is not an input's fault and ends the loop.
 */
export async function forEachInput(
  paths: readonly string[],
  report: (err: EscError) => void,
  // biome-ignore lint/suspicious/noConfusingVoidType: a visitor may return nothing (the input is then closed, as with false)
  visit: (source: InputSource, path: string) => Promise<boolean | void>,
  onFailure: (path: string) => void = () => {},
): Promise<number> {
  let status: number = ExitCode.Ok;
  for (const path of paths) {
    let source: InputSource;
    try {
      source = openInput(path);
    } catch (err) {
      if (!(err instanceof EscError)) throw err;
      report(err);
      onFailure(path);
      status = ExitCode.Error;
      continue;
    }
    let keepOpen = false;
    try {
      keepOpen = (await visit(source, path)) === true;
    } catch (err) {
      if (!(err instanceof EscError) || err.exitCode === ExitCode.Ok) throw err;
      report(err);
      onFailure(path);
      status = ExitCode.Error;
    } finally {
      if (!keepOpen) source.close();
    }
  }
  return status;
}
