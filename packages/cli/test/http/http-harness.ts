// `esc serve` with its HTTP front-end on a free port, for the HTTP end-to-end tests.
import { ESC_BIN } from '../run-esc.js';
import { onFreePort } from '@esc/test-fixtures';
import { type RunningServer, startEscServe, startProcess } from '../serve/serve-harness.js';

export interface HttpServe {
  /** `http://127.0.0.1:PORT` */
  url: string;
  server: RunningServer;
}

/**
 * Starts the built `esc serve` over `dir` (kept by stop(); the caller removes it) with HTTP on a free port;
 * `args` are added (--sync always, --requirepass …). A write lock left by a killed server is taken over after
 * 2 s (the floor), not 10.
 */
export function startHttpServe(dir: string, args: string[] = []): Promise<HttpServe> {
  return onFreePort(async (port) => {
    const server = await startEscServe(['--http-port', String(port), ...args], {
      dir,
      // Without the NODE_PATH npx and pnpm set for vitest, the binary resolves packages as a user's would.
      env: { ESC_STREAMS_LOCK_STALE_MS: '2000', NODE_PATH: undefined },
    });
    return { url: `http://127.0.0.1:${port}`, server };
  });
}

/** Every event a query returns, following `next` page after page, oldest first. */
export async function allEvents(
  url: string,
  query: string,
): Promise<{ id: string; offset: number; message: string }[]> {
  const events: { id: string; offset: number; message: string }[] = [];
  let cursor = '';
  for (;;) {
    const res = await fetch(`${url}/logs?${query}&limit=10000${cursor}`);
    if (res.status !== 200) throw new Error(`GET /logs: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { logs: { id: string; offset: number; message: string }[]; next: string | null };
    events.push(...body.logs);
    if (body.next === null) return events.reverse();
    cursor = `&cursor=${body.next}`;
  }
}

/**
 * The built `esc serve --backend URL` (HTTP only, nothing on this machine) on a free HTTP port; `args` are added.
 * Ready once it printed its listening line.
 */
export async function startBackendServe(backend: string, args: string[] = []): Promise<HttpServe> {
  const server = await startProcess(
    process.execPath,
    (port) => [
      ESC_BIN,
      'serve',
      '--backend',
      backend,
      '--http-port',
      String(port),
      '--resp-port',
      '0',
      '--log-level',
      'warn',
      ...args,
    ],
    (_out, err) => err.includes('esc serve: listening (http '),
    { env: { NODE_PATH: undefined } },
  );
  return { url: `http://127.0.0.1:${server.port}`, server };
}
