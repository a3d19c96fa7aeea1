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
export function resolveOperands(positionals: readonly string[], patternOptions: readonly string[], isFile: (path: string) => boolean = isRegularFile, exists: (path: string) => boolean = pathExists): Operands {
  if (patternOptions.length > 0) return { patterns: [...patternOptions], files: [...positionals] };
  const [first, second] = positionals;
  if (positionals.length === 2 && (first === '-' || isFile(first!)) && second !== '-' && !exists(second!)) {
    return { patterns: [second!], files: [first!] };
  }
  if (first === undefined) return { patterns: [], files: [] };
  return { patterns: [first], files: positionals.slice(1) };
}

function isRegularFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function pathExists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}
