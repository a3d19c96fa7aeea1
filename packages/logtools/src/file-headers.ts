import type { BufferedOutput } from '@esc/core';

/** How head and tail decide on `==> name <==` headers: `-q` never, `-v` always, otherwise for several files. */
export type HeaderMode = 'auto' | 'never' | 'always';

/** What head and tail call standard input in a header. */
export const STDIN_HEADER_NAME = 'standard input';

export function wantHeaders(mode: HeaderMode, fileCount: number): boolean {
  return mode === 'always' || (mode === 'auto' && fileCount > 1);
}

/**
 * Prints GNU head/tail headers: `==> name <==`, with a blank line before every header but the first one
 * printed. In follow mode a header is printed again only when output switches to another file.
 */
export class HeaderPrinter {
  private printedAny = false;
  private current: unknown = undefined;

  constructor(
    private readonly out: BufferedOutput,
    readonly enabled: boolean,
  ) {}

  /** A header for `name` now (the initial pass prints one per file, even for the same file twice). */
  print(name: string, key: unknown = name): void {
    this.current = key;
    if (!this.enabled) return;
    this.out.write(`${this.printedAny ? '\n' : ''}==> ${name} <==\n`);
    this.printedAny = true;
  }

  /** A header only if the last output came from another file. */
  switchTo(name: string, key: unknown): void {
    if (this.current !== key) this.print(name, key);
  }
}
