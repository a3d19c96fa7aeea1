// Starts the built `esc serve` with only its HTTP front-end, on a free port, for the dashboard and alert tests.
import { createServer } from 'node:net';
import { makeTempDir } from '@esc/test-fixtures';
import { ESC_BIN, type Running, startChild } from '../run-esc.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface HttpServer {
  base: string;
  dir: string;
  running: Running;
  /** SIGTERM, wait for the exit, remove the directory; the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `esc serve --http-port P --resp-port 0 --pls-port 0 --dir DIR …args`, ready once it says it listens; DIR is a
 * fresh temp dir removed by stop(), or `dir` (kept, for a restart).
 */
export async function startHttpServer(args: string[] = [], dir?: string): Promise<HttpServer> {
  const port = await freePort();
  const temp = dir === undefined ? makeTempDir('esc-http') : { path: dir, remove: () => {} };
  const running = startChild(process.execPath, [
    ESC_BIN,
    'serve',
    '--dir',
    temp.path,
    '--resp-port',
    '0',
    '--pls-port',
    '0',
    '--http-port',
    String(port),
    ...args,
  ]);
  await Promise.race([
    running.until(() => running.stderr().includes('esc serve: listening (http'), 'esc serve to listen'),
    running.exit.then((code) => {
      throw new Error(`esc serve exited (${code}): ${running.stderr()}`);
    }),
  ]);
  let stopped: Promise<number | null> | null = null;
  return {
    base: `http://127.0.0.1:${port}`,
    dir: temp.path,
    running,
    stop: () => {
      stopped ??= (async () => {
        if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGTERM');
        const code = await running.exit;
        temp.remove();
        return code;
      })();
      return stopped;
    },
  };
}
