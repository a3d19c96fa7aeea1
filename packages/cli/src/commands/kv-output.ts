import { ExitCode } from '@esc/core';
import { emitLines } from '../emit-lines.js';
import { defaultStorePath, isWellFormedKvString, kvStringToBytes } from '@esc/kv';

/** The options of `esc kv` itself, before its subcommand. */
export interface GlobalOptions {
  store?: string;
  json?: boolean;
}

/** Which store: --store, else $ESC_KV_STORE, else the default. */
export function storePath(g: GlobalOptions): string {
  return g.store ?? defaultStorePath();
}

export { printWarning as warn } from '../error-reporter.js';

export { emitLines };

/** A stored value as printed: its bytes (a binary value set through `esc serve` comes out as it went in). */
export function valueOut(value: string): string | Uint8Array {
  return isWellFormedKvString(value) ? value : kvStringToBytes(value);
}

/** One JSON answer (`--json`); `ok` picks the exit status, as the plain answer's would. */
export function emit(value: unknown, ok: boolean): number {
  emitLines([JSON.stringify(value)]);
  return ok ? ExitCode.Ok : ExitCode.NotFound;
}

export function printInt(g: GlobalOptions, field: string, n: number, ok: boolean): number {
  if (g.json) return emit({ [field]: n }, ok);
  emitLines([String(n)]);
  return ok ? ExitCode.Ok : ExitCode.NotFound;
}
