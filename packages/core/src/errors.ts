import { ExitCode } from './exit-codes.js';

/** Where a problem is: a file and, when known, a line number or a byte offset in it. */
export interface ErrorLocation {
  path?: string;
  line?: number;
  offset?: number;
}

/**
 * Base of every error esc raises on purpose. The CLI prints `esc: <message>` on one line and exits with
 * `exitCode`; library callers can switch on the class and read the location fields.
 */
export class EscError extends Error {
  readonly exitCode: ExitCode;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly offset: number | undefined;

  constructor(
    message: string,
    location: ErrorLocation = {},
    exitCode: ExitCode = ExitCode.Error,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.path = location.path;
    this.line = location.line;
    this.offset = location.offset;
  }

  /** The one line the CLI prints: `path:line: message` or `path: offset N: message`. */
  describe(): string {
    if (this.path === undefined) return this.message;
    if (this.line !== undefined) return `${this.path}:${this.line}: ${this.message}`;
    if (this.offset !== undefined) return `${this.path}: offset ${this.offset}: ${this.message}`;
    return `${this.path}: ${this.message}`;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends EscError {
  constructor(message: string) {
    super(message, {}, ExitCode.Error);
  }
}

/** A file that cannot be opened or read: missing, a directory, no permission. */
export class FileAccessError extends EscError {
  readonly errno: string | undefined;
  constructor(path: string, cause: unknown) {
    super(describeFsError(cause), { path }, ExitCode.Error, { cause });
    this.errno = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

/** Stored data whose checksum or structure is wrong. Never repaired silently. */
export class CorruptionError extends EscError {
  constructor(message: string, location: ErrorLocation) {
    super(message, location, ExitCode.Error);
  }
}

/** Input that does not have the expected form (a bad config file, a malformed line under --strict). */
export class InvalidInputError extends EscError {
  constructor(message: string, location: ErrorLocation = {}) {
    super(message, location, ExitCode.Error);
  }
}

/** The reader of our output went away (`| head`). Not a failure: the CLI exits 0 quietly. */
export class BrokenPipeError extends EscError {
  constructor() {
    super('broken pipe', {}, ExitCode.Ok);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EIO: 'Input/output error',
  EEXIST: 'File exists',
  ENAMETOOLONG: 'File name too long',
};

/** The strerror-style text GNU tools print for a failed system call (`No such file or directory`). */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code];
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}
