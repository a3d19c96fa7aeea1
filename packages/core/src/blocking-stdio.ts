/**
 * Once Node creates process.stdin/stdout/stderr for a pipe, libuv switches that descriptor to non-blocking,
 * and synchronous reads and writes on it fail with EAGAIN whenever the pipe is empty or full. esc's output and
 * input loops are synchronous on purpose (constant memory, a closed pipe noticed at once), so on EAGAIN they
 * put the descriptor back into blocking mode, which is what head, tail and grep run with. `_handle.setBlocking`
 * is the call Node itself makes for TTYs; where it is missing this returns false and the caller waits instead.
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export function restoreBlocking(fd: number): boolean {
  const stream = fd === 0 ? process.stdin : fd === 1 ? process.stdout : fd === 2 ? process.stderr : undefined;
  const handle = (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => number } } | undefined)?._handle;
  if (typeof handle?.setBlocking !== 'function') return false;
  return handle.setBlocking(true) === 0;
}
