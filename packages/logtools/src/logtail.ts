import { type BufferedOutput, ExitCode, type InputSource } from '@esc/core';
import { forEachInput } from './input-loop.js';
import { skipNewlines } from './newline-scan.js';
import { copyToEnd, readBlocks } from './range-copy.js';
import { findTailStart } from './backward-reader.js';
import { HeaderPrinter, STDIN_HEADER_NAME, wantHeaders } from './file-headers.js';
import type { LogtailOptions, TailedInput, TailSink } from './logtail-options.js';
import { TailRing } from './tail-ring.js';

/**
 * `tail`: the end of each input. Regular files are read backwards from the end (cost depends on N, not on
 * the file's size); pipes go through a bounded ring; `+N` streams forward. With `follow`, keeps printing
 * whole lines appended afterwards (see file-follower.ts). Returns 0, or 2 if some input failed.
 */
export async function logtail(paths: readonly string[], options: LogtailOptions, sink: TailSink): Promise<number> {
  // As GNU tail: nothing to print and nothing to follow means nothing is opened (no headers, no errors).
  if (options.count.value === 0 && !options.count.fromStart && options.follow === undefined) return ExitCode.Ok;
  const inputs = paths.length === 0 ? ['-'] : paths;
  const headers = new HeaderPrinter(sink.out, wantHeaders(options.headers ?? 'auto', inputs.length));
  const tailed: TailedInput[] = [];
  const displayName = (path: string) => (path === '-' ? STDIN_HEADER_NAME : path);
  const status = await forEachInput(
    inputs,
    (err) => sink.report(err),
    async (source, path) => {
      headers.print(displayName(path), path);
      const position = printTail(source, options, sink.out);
      tailed.push({ path, displayName: displayName(path), source, position });
      return options.follow !== undefined;
    },
    (path) => tailed.push({ path, displayName: displayName(path), source: null, position: 0 }),
  );
  sink.out.flush();
  if (options.follow === undefined) return status;
  // Loaded only when following: plain `logtail` starts faster without it.
  const { followFiles } = await import('./file-follower.js');
  const followStatus = await followFiles(tailed, options, sink, headers);
  return Math.max(status, followStatus);
}

// Pipes deliver at most 64 KiB per read; a larger buffer, allocated for each read, would be mostly wasted.
const STREAM_CHUNK = 64 * 1024;

/**
 * Prints the tail of one input; returns the offset reached (meaningful for regular files).
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export function printTail(
  source: InputSource,
  options: Pick<LogtailOptions, 'count' | 'unit'>,
  out: BufferedOutput,
): number {
  const { count, unit } = options;
  if (source.isRegularFile) {
    const size = source.size ?? 0;
    let start: number;
    if (count.fromStart) {
      if (unit === 'bytes') start = Math.max(0, count.value - 1);
      else return copyFromStart(source, unit, count.value, out);
    } else if (unit === 'bytes') start = Math.max(0, size - count.value);
    else start = findTailStart(source.fd, size, count.value);
    return start + copyToEnd(source.fd, start, out, source.name);
  }
  if (count.fromStart) {
    return copyFromStart(source, unit, count.value, out);
  }
  const ring = new TailRing(count.value, unit);
  for (const block of readBlocks(source.fd, null, source.name, false, STREAM_CHUNK)) ring.push(block);
  for (const piece of ring.contents()) out.write(piece);
  return 0;
}

/** `-n +N` / `-c +N`: everything from line or byte N on (1-based; +0 is +1, as tail has it). */
function copyFromStart(source: InputSource, unit: 'lines' | 'bytes', first: number, out: BufferedOutput): number {
  let skip = Math.max(0, first - 1);
  let total = 0;
  for (const block of readBlocks(source.fd, source.isRegularFile ? 0 : null, source.name, true)) {
    total += block.length;
    let offset = 0;
    if (skip > 0) {
      if (unit === 'bytes') {
        offset = Math.min(skip, block.length);
        skip -= offset;
      } else {
        ({ offset, left: skip } = skipNewlines(block, 0, skip));
      }
      if (skip > 0) continue;
    }
    out.write(offset === 0 ? block : block.subarray(offset));
  }
  return total;
}
