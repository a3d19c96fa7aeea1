import { EscError, ExitCode, UsageError } from '@esc/core';

/** A value an operation cannot work on (INCR of a non-integer, an overflow). */
export class KvValueError extends EscError {
  constructor(message: string) {
    super(message, {}, ExitCode.Error);
  }
}

/**
 * A call the store refuses as asked (conflicting options such as NX with XX, a closed store). A UsageError, so
 * the CLI reports it like its own argument errors, naming the command (`esc: kv set: …`).
 */
export class KvUsageError extends UsageError {}
