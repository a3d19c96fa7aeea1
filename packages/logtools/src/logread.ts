import type { BufferedOutput, EscError, InputSource } from '@esc/core';
import { forEachInput } from './input-loop.js';
import { skipNewlines } from './newline-scan.js';
import { copyToEnd, readBlocks } from './range-copy.js';
import { HeaderPrinter, STDIN_HEADER_NAME, wantHeaders, type HeaderMode } from './file-headers.js';

export interface LogreadOptions {
  /** Lines to print from the start of each input; `null` prints everything (`--all`). */
  lines: number | null;
  /** `==> name <==` headers: `auto` (several inputs), `never` (-q), `always` (-v). */
  headers?: HeaderMode;
}

/** Where logread and logtail write: data to `out`; a failing input goes to `report` and the rest go on. */
export interface OutputSink {
  out: BufferedOutput;
  report(err: EscError): void;
}

/**
 * `head`: the first N lines of each input (or all of it), streamed in large chunks, bytes passed through
 * unchanged (CRLF, invalid UTF-8, a last line without newline). `-` is standard input. Returns the exit
 * status: 0, or 2 when an input could not be read (after processing the others).
 */
export async function logread(paths: readonly string[], options: LogreadOptions, sink: OutputSink): Promise<number> {
  const inputs = paths.length === 0 ? ['-'] : paths;
  const headers = new HeaderPrinter(sink.out, wantHeaders(options.headers ?? 'auto', inputs.length));
  const status = await forEachInput(
    inputs,
    (err) => sink.report(err),
    async (source, path) => {
      headers.print(path === '-' ? STDIN_HEADER_NAME : path);
      copyHead(source, options.lines, sink.out);
    },
  );
  sink.out.flush();
  return status;
}

function copyHead(source: InputSource, lines: number | null, out: BufferedOutput): void {
  if (lines === 0) return;
  const start = source.isRegularFile ? 0 : null;
  if (lines === null) {
    copyToEnd(source.fd, start, out, source.name);
    return;
  }
  // Raw blocks, not line chunks: the N-th newline is all that matters, and reading stops right there.
  let remaining = lines;
  for (const block of readBlocks(source.fd, start, source.name, true)) {
    const { offset, left } = skipNewlines(block, 0, remaining);
    remaining = left;
    if (remaining === 0) {
      out.writeRange(block, 0, offset);
      return;
    }
    out.write(block);
  }
}
