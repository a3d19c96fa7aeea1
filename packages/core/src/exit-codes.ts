/**
 * Exit codes shared by every esc command, as grep and Redis-minded scripts expect them.
 * 0: success (a line selected, a key found); 1: a clean negative answer (no line selected, key missing);
 * 2: an error (bad usage, unreadable file, corrupt store). 130: interrupted by SIGINT.
 */
export const ExitCode = {
  Ok: 0,
  NotFound: 1,
  Error: 2,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
