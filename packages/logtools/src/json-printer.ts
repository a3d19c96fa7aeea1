import type { BufferedOutput } from '@esc/core';
import type { LineMatcher } from './line-matcher.js';
import type { GrepPrinter } from './match-printer.js';

/** One NDJSON record per selected or context line, per -c count, and the --stats summary. */
export type GrepRecord =
  | { type: 'match' | 'context'; file: string; line: number; text: string; matches: MatchRange[] }
  | { type: 'count'; file: string; count: number }
  | { type: 'file'; file: string };

/** A match inside `text`: byte offsets into the line (as ripgrep reports them) and the matched text. */
export interface MatchRange {
  start: number;
  end: number;
  text: string;
}

/**
 * Machine output for --json: each line is decoded as UTF-8 (invalid bytes become U+FFFD, the only place
 * esc replaces bytes), a CRLF line's `\r` is dropped, and match ranges are byte offsets into the line.
 */
export class JsonPrinter implements GrepPrinter {
  constructor(
    private readonly out: BufferedOutput,
    private readonly matcher: LineMatcher,
    private readonly invert: boolean,
  ) {}

  line(file: string, lineNo: number, buf: Buffer, start: number, end: number, selected: boolean): void {
    const matches: MatchRange[] = [];
    if (selected !== this.invert) {
      const ranges = this.matcher.ranges(buf, start, end);
      for (let i = 0; i < ranges.length; i += 2) {
        matches.push({
          start: ranges[i]!,
          end: ranges[i + 1]!,
          text: buf.toString('utf8', start + ranges[i]!, start + ranges[i + 1]!),
        });
      }
    }
    const textEnd = end > start && buf[end - 1] === 13 ? end - 1 : end;
    this.write({
      type: selected ? 'match' : 'context',
      file,
      line: lineNo,
      text: buf.toString('utf8', start, textEnd),
      matches,
    });
  }

  separator(): void {}

  count(file: string, count: number): void {
    this.write({ type: 'count', file, count });
  }

  fileName(file: string): void {
    this.write({ type: 'file', file });
  }

  write(record: object): void {
    this.out.write(`${JSON.stringify(record)}\n`);
  }
}
