import type { BufferedOutput } from '@esc/core';
import type { GrepColors, Paint } from './grep-colors.js';
import type { LineMatcher } from './line-matcher.js';

/** Where selected lines, context lines, separators and counts go: grep-style text or NDJSON. */
export interface GrepPrinter {
  /** `buf[start, end)` is the line without its newline; `selected` is false for a context line. */
  line(file: string, lineNo: number, buf: Buffer, start: number, end: number, selected: boolean): void;
  /** The `--` between context groups. */
  separator(): void;
  /** The -c result for one file. */
  count(file: string, count: number): void;
  /** A file listed by -l or -L. */
  fileName(file: string): void;
}

export interface TextPrinterOptions {
  withFilename: boolean;
  lineNumbers: boolean;
  onlyMatching: boolean;
  invert: boolean;
  /** null: no colour. */
  colors: GrepColors | null;
}

const NO_PAINT: Paint = { start: '', end: '' };

/**
 * GNU grep's output format, byte for byte: `file:line:text` for selected lines, `file-line-text` for
 * context, the line's raw bytes (a CRLF line keeps its `\r`; a last line without a newline gets one), -o
 * printing each non-empty match on its own line, and grep's colours around matches, names and numbers.
 */
export class TextPrinter implements GrepPrinter {
  private readonly namePaint: Paint;
  private readonly lineNumber: Paint;
  private readonly sep: Paint;

  constructor(
    private readonly out: BufferedOutput,
    private readonly matcher: LineMatcher,
    private readonly opts: TextPrinterOptions,
  ) {
    this.namePaint = opts.colors?.fileName ?? NO_PAINT;
    this.lineNumber = opts.colors?.lineNumber ?? NO_PAINT;
    this.sep = opts.colors?.separator ?? NO_PAINT;
  }

  line(file: string, lineNo: number, buf: Buffer, start: number, end: number, selected: boolean): void {
    const { out, opts } = this;
    // grep colours (and -o prints) matches only in lines the pattern matches: selected lines, or context
    // lines under -v.
    const matching = selected !== opts.invert;
    if (opts.onlyMatching) {
      // As grep: the matches of every matching line, which under -v means the context lines.
      if (!matching) return;
      const ranges = this.matcher.ranges(buf, start, end);
      const paint = opts.colors === null ? NO_PAINT : selected ? opts.colors.selectedMatch : opts.colors.contextMatch;
      for (let i = 0; i < ranges.length; i += 2) {
        this.prefix(file, lineNo, selected ? ':' : '-');
        out.write(paint.start);
        out.writeRange(buf, start + ranges[i]!, start + ranges[i + 1]!);
        out.write(paint.end);
        out.write('\n');
      }
      return;
    }
    this.prefix(file, lineNo, selected ? ':' : '-');
    const paint = opts.colors === null ? NO_PAINT : selected ? opts.colors.selectedMatch : opts.colors.contextMatch;
    if (matching && paint.start !== '') {
      const ranges = this.matcher.ranges(buf, start, end);
      let at = start;
      for (let i = 0; i < ranges.length; i += 2) {
        out.writeRange(buf, at, start + ranges[i]!);
        out.write(paint.start);
        out.writeRange(buf, start + ranges[i]!, start + ranges[i + 1]!);
        out.write(paint.end);
        at = start + ranges[i + 1]!;
      }
      out.writeRange(buf, at, end);
    } else {
      out.writeRange(buf, start, end);
    }
    out.write('\n');
  }

  separator(): void {
    this.out.write(`${this.sep.start}--${this.sep.end}\n`);
  }

  count(file: string, count: number): void {
    if (this.opts.withFilename)
      this.out.write(`${this.namePaint.start}${file}${this.namePaint.end}${this.sep.start}:${this.sep.end}`);
    this.out.write(`${count}\n`);
  }

  fileName(file: string): void {
    this.out.write(`${this.namePaint.start}${file}${this.namePaint.end}\n`);
  }

  private prefix(file: string, lineNo: number, sepChar: string): void {
    const { out, opts } = this;
    if (opts.withFilename)
      out.write(`${this.namePaint.start}${file}${this.namePaint.end}${this.sep.start}${sepChar}${this.sep.end}`);
    if (opts.lineNumbers)
      out.write(`${this.lineNumber.start}${lineNo}${this.lineNumber.end}${this.sep.start}${sepChar}${this.sep.end}`);
  }
}
