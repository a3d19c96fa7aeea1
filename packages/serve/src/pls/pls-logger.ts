/** The part of a pino logger the PLS front-end uses (pino's `(fields, message)` form); the server passes its own. */
export interface PlsLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const SILENT_LOGGER: PlsLogger = { info() {}, warn() {}, error() {} };
