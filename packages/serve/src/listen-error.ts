import { EscError, ExitCode } from '@esc/core';

/** A front-end that cannot listen (the port taken, the address not local): named with its address, exit 2. */
export class ListenError extends EscError {
  readonly code: string | undefined;

  constructor(frontEnd: string, host: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why =
      code === 'EADDRINUSE'
        ? 'address already in use'
        : code === 'EADDRNOTAVAIL'
          ? 'address not available on this machine'
          : code === 'EACCES'
            ? 'permission denied'
            : (cause as Error).message;
    super(`serve: cannot listen on ${host}:${port} (${frontEnd}): ${why}`, {}, ExitCode.Error, { cause });
    this.code = code;
  }
}
