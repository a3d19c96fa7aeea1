import type { InputSource } from '@esc/core';
import type { TailCount } from './byte-size.js';
import type { HeaderMode } from './file-headers.js';
import type { OutputSink } from './logread.js';

// The options and sink shared by logtail.ts and file-follower.ts, apart so neither imports the other's module.

/** `descriptor` (-f): keep reading the file that was opened. `name` (-F): the file the name points to now. */
export type FollowMode = 'descriptor' | 'name';

export interface LogtailOptions {
  /** How much: the last N (or from the Nth on, with `fromStart`) lines or bytes. */
  count: TailCount;
  unit: 'lines' | 'bytes';
  headers?: HeaderMode;
  /** `descriptor` (-f) follows the open file; `name` (-F) reopens the name after rotation or truncation. */
  follow?: FollowMode;
  /** Keep trying to open a missing or inaccessible file (implied by -F). */
  retry?: boolean;
  /** Stop following once this process has exited. */
  pid?: number;
  /** Seconds between checks when no change notification arrives (default 1, as in tail). */
  sleepSeconds?: number;
  /** Stops following (for library callers and tests). */
  signal?: AbortSignal;
}

export interface TailSink extends OutputSink {
  /** A notice about a followed file (`x.log: file truncated`), shown on stderr by the CLI. */
  notice(message: string): void;
}

/** What one input looked like after its tail was printed: where following resumes. */
export interface TailedInput {
  /** As given by the user (`-` for standard input). */
  path: string;
  displayName: string;
  source: InputSource | null;
  /** Offset just after the bytes printed (regular files). */
  position: number;
}
