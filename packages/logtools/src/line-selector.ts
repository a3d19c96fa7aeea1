import { countNewlines } from '@esc/core';
import type { LineSink } from './line-searcher.js';
import type { GrepPrinter } from './match-printer.js';

export interface SelectionOptions {
  /** -v: select the lines that do not match. */
  invert: boolean;
  /** -m: stop after this many selected lines (Infinity when unset). */
  maxCount: number;
  /** -B / -A: context lines before and after each selected line. */
  before: number;
  after: number;
  /** Any of -A/-B/-C was given, even as 0: grep then prints `--` between non-adjacent groups. */
  contextGiven: boolean;
  /** What happens to a selected line: printed, only counted (-c), or the search ends at the first (-q). */
  mode: 'print' | 'count' | 'quiet';
  /** Keep line numbers (-n, --json, --stats); otherwise lines are never counted. */
  lineNumbers: boolean;
  /** Called for every selected line (the --stats level histogram). */
  onSelected?: (buf: Buffer, start: number, end: number) => void;
}

/** Output state that spans files: grep prints `--` between context groups of different files too. */
export interface SelectionShared {
  printedAny: boolean;
}

interface HeldLine {
  bytes: Buffer;
  lineNo: number;
}

/**
 * grep's selection rules for one file, fed by the searcher: -v, -m (with trailing context after the last
 * selected line, as GNU grep prints it), -A/-B/-C with `--` between groups, lazy line numbers. Lines kept
 * for -B are copied, so memory is bounded by B lines whatever the chunk size.
 */
export class LineSelector implements LineSink {
  readonly wantsUnmatched: boolean;
  readonly needsLineStart: boolean;
  readonly countsOnly: boolean;
  /** Selected lines so far in this file. */
  selected = 0;
  /** Lines consumed so far (counted only when line numbers are kept). */
  lines = 0;
  /** Set by the reader once the file shows binary data: printing stops at the first selected line. */
  binary = false;
  /** A selected line was found after binary data: the caller reports "binary file matches". */
  binaryMatched = false;
  private afterLeft = 0;
  /** -m reached; only trailing context is still printed. */
  private draining = false;
  private lastPrinted = -1;
  private held: HeldLine[] = [];
  private readonly context: boolean;
  private readonly perLineSelected: boolean;

  constructor(
    private readonly opts: SelectionOptions,
    private readonly printer: GrepPrinter | null,
    private readonly file: string,
    private readonly shared: SelectionShared,
  ) {
    this.context = opts.mode === 'print' && opts.contextGiven;
    this.perLineSelected = opts.mode !== 'count' || opts.onSelected !== undefined || opts.maxCount !== Infinity;
    this.wantsUnmatched = opts.invert || this.context || opts.lineNumbers;
    this.needsLineStart = opts.mode === 'print' || opts.onSelected !== undefined;
    // Only for -v: a plain count already skips the lines without a candidate.
    this.countsOnly = opts.invert && !this.perLineSelected;
  }

  counted(matching: number, unmatched: number): boolean {
    this.selected += this.opts.invert ? unmatched : matching;
    this.lines += matching + unmatched;
    return true;
  }

  /**
   * Lines judged without their text (a count, -l or -q: see outputNeedsLines), in any order: their order
   * only matters to output that shows lines. False once the answer is known (-q, -l, -m reached).
   */
  tallied(matching: number, unmatched: number): boolean {
    const selected = this.opts.invert ? unmatched : matching;
    this.lines += matching + unmatched;
    if (selected === 0) return true;
    if (this.opts.mode === 'quiet') {
      this.selected++;
      return false;
    }
    const room = this.opts.maxCount - this.selected;
    this.selected += Math.min(selected, room);
    return selected < room;
  }

  matched(buf: Buffer, start: number, end: number): boolean {
    return this.opts.invert ? this.other(buf, start, end) : this.select(buf, start, end);
  }

  unmatched(buf: Buffer, start: number, end: number): boolean {
    if (this.opts.invert) {
      if (!this.perLineSelected) {
        const n = linesIn(buf, start, end);
        this.selected += n;
        this.lines += n;
        return true;
      }
      return this.eachLine(buf, start, end, (s, e) => this.select(buf, s, e));
    }
    let p = start;
    while (this.afterLeft > 0 && p < end) {
      const e = lineEnd(buf, p, end);
      if (!this.other(buf, p, e)) return false;
      p = e + 1;
    }
    if (p >= end) return true;
    if (!this.context || this.opts.before === 0) {
      if (this.opts.lineNumbers || this.context) this.lines += linesIn(buf, p, end);
      return true;
    }
    // Only the last B lines of a run can become before-context: find where they start, count the rest.
    let keepFrom = end;
    let kept = 0;
    let scan = buf[end - 1] === 10 ? end - 1 : end;
    while (kept < this.opts.before && keepFrom > p) {
      const nl = scan - 1 >= p ? buf.lastIndexOf(10, scan - 1) : -1;
      keepFrom = nl >= p ? nl + 1 : p;
      scan = keepFrom - 1;
      kept++;
    }
    this.lines += linesIn(buf, p, keepFrom);
    return this.eachLine(buf, keepFrom, end, (s, e) => this.other(buf, s, e));
  }

  private eachLine(buf: Buffer, start: number, end: number, fn: (s: number, e: number) => boolean): boolean {
    let p = start;
    while (p < end) {
      const e = lineEnd(buf, p, end);
      if (!fn(p, e)) return false;
      p = e + 1;
    }
    return true;
  }

  private select(buf: Buffer, start: number, end: number): boolean {
    const lineNo = ++this.lines;
    if (this.draining) return this.other(buf, start, end, lineNo);
    this.selected++;
    this.opts.onSelected?.(buf, start, end);
    const { mode, maxCount } = this.opts;
    if (mode === 'quiet') return false;
    if (mode === 'count') return this.selected < maxCount;
    if (this.binary) {
      this.binaryMatched = true;
      return false;
    }
    for (const h of this.held) this.print(h.bytes, 0, h.bytes.length, h.lineNo, false);
    this.held = [];
    this.print(buf, start, end, lineNo, true);
    this.afterLeft = this.opts.after;
    if (this.selected >= maxCount) {
      if (this.afterLeft === 0 || !this.context) return false;
      this.draining = true;
    }
    return true;
  }

  private other(buf: Buffer, start: number, end: number, lineNo = ++this.lines): boolean {
    if (!this.context) return true;
    if (this.afterLeft > 0) {
      this.afterLeft--;
      if (!this.binary) this.print(buf, start, end, lineNo, false);
      return !(this.draining && this.afterLeft === 0);
    }
    if (this.opts.before > 0) {
      if (this.held.length === this.opts.before) this.held.shift();
      this.held.push({ bytes: Buffer.from(buf.subarray(start, end)), lineNo });
    }
    return true;
  }

  private print(buf: Buffer, start: number, end: number, lineNo: number, selected: boolean): void {
    if (this.context && this.shared.printedAny && lineNo !== this.lastPrinted + 1) this.printer!.separator();
    this.shared.printedAny = true;
    this.lastPrinted = lineNo;
    this.printer!.line(this.file, lineNo, buf, start, end, selected);
  }
}

/** End of the line starting at `p` (its newline, or `end` for a last line without one). */
function lineEnd(buf: Buffer, p: number, end: number): number {
  const nl = buf.indexOf(10, p);
  return nl === -1 || nl >= end ? end : nl;
}

/** Lines in a run of whole lines: its newlines, plus a last line without one at the end of input. */
function linesIn(buf: Buffer, start: number, end: number): number {
  if (end <= start) return 0;
  return countNewlines(buf, start, end) + (buf[end - 1] === 10 ? 0 : 1);
}
