// The harness of the `esc serve` end-to-end tests: starts the built `esc serve` and Debian's redis-server on free
// ports in temp dirs, stops them, and talks raw RESP to either (RespClient) so tests compare exact reply bytes.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { makeTempDir, onFreePort } from '@esc/test-fixtures';
import { childEnv, ESC_BIN, REPO_ROOT } from '../run-esc.js';

export interface RunningServer {
  readonly port: number;
  /** The server's data directory (removed by stop()). */
  readonly dir: string;
  readonly child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /**
   * SIGTERM (or `signal`), wait for the exit, remove the directory; the exit code (null after a signal). A server
   * still running STOP_WAIT_MS later is killed and the call rejects.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How long stop() waits for the exit: a graceful stop takes milliseconds; under CI load, seconds. */
const STOP_WAIT_MS = 20_000;

export function startProcess(
  command: string,
  args: (port: number, dir: string) => string[],
  ready: (out: string, err: string) => boolean,
  options: { dir?: string; env?: NodeJS.ProcessEnv; port?: number } = {},
): Promise<RunningServer> {
  if (options.port !== undefined) return startOnPort(command, args, ready, options, options.port);
  return onFreePort((port) => startOnPort(command, args, ready, options, port));
}

function startOnPort(
  command: string,
  args: (port: number, dir: string) => string[],
  ready: (out: string, err: string) => boolean,
  options: { dir?: string; env?: NodeJS.ProcessEnv },
  port: number,
): Promise<RunningServer> {
  return (async () => {
    const temp = options.dir === undefined ? makeTempDir('esc-serve') : null;
    const dir = options.dir ?? temp!.path;
    const child = spawn(command, args(port, dir), {
      cwd: REPO_ROOT,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let started = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${command} did not start: ${err}${out}`));
        child.kill('SIGKILL'); // its exit removes the temp dir
      }, 20_000);
      const check = () => {
        if (!started && ready(out, err)) {
          started = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        check();
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        // Only a start that failed: a server that ran keeps its dir until stop() (a test may restart on it).
        if (!started) temp?.remove();
        reject(new Error(`${command} exited (${code}) before it was ready: ${err}${out}`));
      });
    });
    let stopped: Promise<number | null> | null = null;
    return {
      port,
      dir,
      child,
      stderr: () => err,
      stdout: () => out,
      stop: (signal: NodeJS.Signals = 'SIGTERM') => {
        stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          // A server that does not stop is a failure of its own, named with what it printed, not a hook timeout.
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<'late'>((resolve) => {
            timer = setTimeout(() => resolve('late'), STOP_WAIT_MS);
          });
          const code = await Promise.race([exited, late]);
          clearTimeout(timer);
          if (code === 'late') {
            child.kill('SIGKILL');
            await exited;
            temp?.remove();
            throw new Error(`${command} did not exit within ${STOP_WAIT_MS} ms of ${signal}; it printed: ${err}${out}`);
          }
          temp?.remove();
          return code;
        })();
        return stopped;
      },
    };
  })();
}

/**
 * `esc serve` on a free RESP port with the other front-ends off, in a fresh directory (or `dir`); `args` are
 * added (--requirepass…). Ready once it printed its listening line.
 */
export function startEscServe(
  args: string[] = [],
  options: { dir?: string; env?: NodeJS.ProcessEnv; port?: number } = {},
): Promise<RunningServer> {
  return startProcess(
    process.execPath,
    (port, dir) => [
      ESC_BIN,
      'serve',
      '--dir',
      dir,
      '--resp-port',
      String(port),
      '--pls-port',
      '0',
      '--http-port',
      '0',
      '--log-level',
      'warn',
      ...args,
    ],
    (_out, err) => err.includes('esc serve: listening (resp '),
    options,
  );
}

/**
 * Debian's redis-server on a free port, no persistence, one database (so `SELECT 1` fails as on esc), in a fresh
 * directory; `args` are added (`--requirepass x`, `--appendonly yes`).
 */
export function startRedisServer(args: string[] = []): Promise<RunningServer> {
  return startProcess(
    'redis-server',
    (port, dir) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--databases',
      '1',
      '--dir',
      dir,
      ...args,
    ],
    (out) => out.includes('Ready to accept connections'),
  );
}

/**
 * A raw RESP connection: send bytes, read whole replies as the server wrote them (RESP2 or RESP3), so a test
 * can compare exact bytes. Knows where a reply ends; never interprets it.
 */
export class RespClient {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private closedFlag = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedFlag && this.buf.length === 0;
  }

  /** Bytes pending, not yet read as replies. */
  get buffered(): number {
    return this.buf.length;
  }

  write(data: Buffer | string): void {
    this.socket.write(data);
  }

  /** Sends a command as a multibulk. */
  send(...args: (string | Buffer)[]): void {
    this.write(encodeCommand(args));
  }

  /** Sends a command and reads its reply's bytes (latin1 text). */
  async call(...args: (string | Buffer)[]): Promise<string> {
    this.send(...args);
    return this.readReply();
  }

  /** The next whole reply as latin1 text; null if the server closed first. Fails after `timeoutMs`. */
  async readReply(timeoutMs = 10_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = replyEnd(this.buf, 0);
      if (end !== -1) {
        const reply = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end);
        return reply;
      }
      if (this.closedFlag) return null;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no whole reply within ${timeoutMs} ms; have ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  /** The next `n` bytes as latin1 text, whatever replies they hold; null if the server closed first. */
  async readBytes(n: number, timeoutMs = 30_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.closedFlag) return null;
      if (Date.now() > deadline) throw new Error(`only ${this.buf.length} of ${n} bytes within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    const text = this.buf.subarray(0, n).toString('latin1');
    this.buf = this.buf.subarray(n);
    return text;
  }

  /** Resolves when the server has closed the connection (all replies before it left in the buffer). */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedFlag) {
      if (Date.now() > deadline) throw new Error('the server did not close the connection');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** The offset just past the reply starting at `at`, or -1 when it is not complete yet. */
function replyEnd(buf: Buffer, at: number): number {
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd === -1) return -1;
  const type = String.fromCharCode(buf[at]!);
  const head = buf.subarray(at + 1, lineEnd).toString('latin1');
  let pos = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return pos;
    case '$':
    case '=':
    case '!': {
      const n = Number(head);
      if (n < 0) return pos;
      return buf.length >= pos + n + 2 ? pos + n + 2 : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(head);
      if (n < 0) return pos;
      if (type === '%' || type === '|') n *= 2;
      for (let i = 0; i < n; i++) {
        pos = replyEnd(buf, pos);
        if (pos === -1) return -1;
      }
      return pos;
    }
    default:
      throw new Error(
        `not a RESP reply at byte ${at}: ${JSON.stringify(buf.subarray(at, at + 40).toString('latin1'))}`,
      );
  }
}
