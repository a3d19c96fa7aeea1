import { statSync } from 'node:fs';

export interface Operands {
  patterns: string[];
  files: string[];
}

/**
 * Splits loggrep's positional arguments into patterns and files. With -e, every positional is a file
 * (grep). Without -e, the original tool's order `FILE PATTERN` wins only when it is unambiguous: exactly
 * two positionals, the first an existing regular file (or `-`, stdin) and the second not an existing path;
 * otherwise grep's order `PATTERN FILE…`. So `loggrep app.log ERROR` and `loggrep ERROR app.log` both work,
 * and when both words name files grep's reading is kept.
 */
export function resolveOperands(
  positionals: readonly string[],
  patternOptions: readonly string[],
  isFile: (path: string) => boolean = isRegularFile,
  exists: (path: string) => boolean = pathExists,
): Operands {
  if (patternOptions.length > 0) return { patterns: [...patternOptions], files: [...positionals] };
  const [first, second] = positionals;
  if (positionals.length === 2 && (first === '-' || isFile(first!)) && second !== '-' && !exists(second!)) {
    return { patterns: [second!], files: [first!] };
  }
  // Neither word names a path, so either reading fails on a missing file; only the name in the message
  // differs. `loggrep logs/x.log ERROR` should report logs/x.log, not "ERROR: No such file or directory".
  if (
    positionals.length === 2 &&
    first !== '-' &&
    second !== '-' &&
    !exists(first!) &&
    !exists(second!) &&
    looksLikePath(first!) &&
    !looksLikePath(second!)
  ) {
    return { patterns: [second!], files: [first!] };
  }
  if (first === undefined) return { patterns: [], files: [] };
  return { patterns: [first], files: positionals.slice(1) };
}

/** A word written like a file name: it has a directory part or ends in an extension (`app.log`, `x.txt`). */
function looksLikePath(word: string): boolean {
  return word.includes('/') || /\.[A-Za-z][A-Za-z0-9]{0,4}$/.test(word);
}

function isRegularFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function pathExists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}
