import { ChunkText } from './chunk-text.js';

/**
 * Finds the next place in a chunk where a match could be, much faster than running the regex on every
 * line: Buffer.indexOf for a case-sensitive literal (memchr-class speed), a case-insensitive literal
 * regex over the chunk decoded once as Latin-1 otherwise. A prefilter may report candidates that fail the
 * full match, never miss one: the searcher verifies the candidate's line.
 */
export interface Prefilter {
  /** Byte offset of the next candidate at or after `from`, or -1 when the rest of the chunk has none. */
  find(chunk: Buffer, from: number): number;
  /** True when every candidate is a match, so the line needs no verification. */
  readonly exact: boolean;
}

/** No usable literal: every line is a candidate. */
export class EveryLinePrefilter implements Prefilter {
  readonly exact = false;
  find(chunk: Buffer, from: number): number {
    return from < chunk.length ? from : -1;
  }
}

/** A case-sensitive literal found with Buffer.indexOf. */
export class IndexOfPrefilter implements Prefilter {
  constructor(
    private readonly needle: Buffer,
    readonly exact: boolean,
  ) {}
  find(chunk: Buffer, from: number): number {
    return chunk.indexOf(this.needle, from);
  }
}

/**
 * A set of literals, or one literal compared without case: a global regex of the escaped literals run over
 * the chunk decoded once as Latin-1 (one byte, one code unit, so indices are byte offsets).
 */
export class ChunkRegexPrefilter implements Prefilter {
  constructor(
    private readonly regex: RegExp,
    readonly exact: boolean,
    /** Shared with the matcher, so verifying a candidate's line slices the same decoded text. */
    private readonly text: ChunkText = new ChunkText(),
  ) {}
  find(chunk: Buffer, from: number): number {
    this.regex.lastIndex = from;
    const m = this.regex.exec(this.text.whole(chunk));
    return m === null ? -1 : m.index;
  }
}
