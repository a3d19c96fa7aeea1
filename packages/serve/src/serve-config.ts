import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { EscError, ExitCode, FileAccessError, loadJsonFile, parseWithSchema, UsageError } from '@esc/core';
import { z } from 'zod';
import { isRedisUrl } from '@esc/redis';
import { LOG_LEVELS } from './logger.js';

const port = z.number().int().min(0).max(65535);
const MiB = 1024 * 1024;

/**
 * `esc serve`'s settings: the flags and the `--config FILE` (JSON) share this one schema, flags winning over the
 * file. Limits are Redis's named settings with Redis's defaults.
 */
export const serveConfigSchema = z
  .object({
    /** The topics directory (streams); default $ESC_STREAMS_DIR, else $XDG_DATA_HOME/esc/streams. */
    dir: z.string().min(1).optional(),
    /**
     * `redis://…` or `redis-cluster://…`: the HTTP front-end keeps its events, indexes and alert windows there and
     * nothing on this machine, so instances behind a load balancer act as one (docs/scale-out.md).
     */
    backend: z
      .string()
      .refine(isRedisUrl, { message: 'expected redis://, rediss://, redis-cluster:// or rediss-cluster://' })
      .optional(),
    /** The kv store file; default <dir>/kv.json with --dir, else the one `esc kv` uses. */
    kvStore: z.string().min(1).optional(),
    bind: z.string().min(1).default('127.0.0.1'),
    respPort: port.default(6380),
    plsPort: port.default(1234),
    /** A PyLogStreams client silent this long is disconnected (the original's 120 s; shorter in tests). */
    plsHeartbeatMs: z.number().int().min(1).default(120_000),
    httpPort: port.default(8080),
    /** The alert rules file of the HTTP front-end (docs/http.md); default: LogStream's two rules. */
    rules: z.string().min(1).optional(),
    /** Where the HTTP front-end POSTs alert notifications (overrides the rules file's webhook URL). */
    alertWebhook: z.url({ protocol: /^https?$/ }).optional(),
    requirepass: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    sync: z.enum(['none', 'batch', 'always']).default('batch'),
    maxClients: z.number().int().min(1).default(10000),
    logLevel: z.enum(LOG_LEVELS as [string, ...string[]]).default('info'),
    /** Allows a non-loopback bind without a password. */
    insecure: z.boolean().default(false),
    protoMaxBulkLen: z
      .number()
      .int()
      .min(1)
      .default(512 * MiB),
    clientQueryBufferLimit: z
      .number()
      .int()
      .min(1)
      .default(1024 * MiB),
    pubsubOutputLimit: z
      .object({
        hardBytes: z
          .number()
          .int()
          .min(0)
          .default(32 * MiB),
        softBytes: z
          .number()
          .int()
          .min(0)
          .default(8 * MiB),
        softSeconds: z.number().int().min(0).default(60),
      })
      .strict()
      .default({ hardBytes: 32 * MiB, softBytes: 8 * MiB, softSeconds: 60 }),
  })
  .strict();

export type ServeConfigInput = z.input<typeof serveConfigSchema>;
export type ServeConfig = z.output<typeof serveConfigSchema>;

/** A setting that makes the server unsafe or contradicts another: exit 2 like a usage error. */
export class ServeConfigError extends EscError {
  constructor(message: string) {
    super(message, {}, ExitCode.Error);
  }
}

/** The settings from a config file (if any) under the flags given on the command line. */
export function resolveServeConfig(flags: ServeConfigInput, configFile?: string): ServeConfig {
  const fromFile = configFile === undefined ? {} : loadJsonFile(configFile, serveConfigSchema.partial());
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const given = { ...fromFile, ...defined };
  const config = parseWithSchema(serveConfigSchema, given, configFile ?? 'flags');
  if (config.requirepass !== undefined && config.passwordFile !== undefined)
    throw new UsageError('serve: --requirepass and --password-file cannot be combined');
  if (!config.insecure && !isLoopback(config.bind) && readPassword(config) === null)
    throw new ServeConfigError(
      `serve: refusing to listen on ${config.bind} without a password: give --requirepass or --password-file, or --insecure`,
    );
  if (config.backend !== undefined) {
    refuseLocalState(given);
    return { ...config, plsPort: 0 };
  }
  return config;
}

/**
 * With --backend the server keeps no state: the PyLogStreams front-end, which serves this machine's topics, stays
 * off, and asking for it, or for a directory, is an error rather than a surprise.
 */
function refuseLocalState(given: ServeConfigInput): void {
  if (given.plsPort !== undefined && given.plsPort !== 0)
    throw new ServeConfigError(
      "serve: --backend has no PyLogStreams front-end (it serves this machine's topics): drop --pls-port or give 0",
    );
  for (const [name, flag] of [
    ['dir', '--dir'],
    ['kvStore', '--kv-store'],
  ] as const)
    if (given[name] !== undefined)
      throw new ServeConfigError(`serve: --backend keeps nothing on this machine: ${flag} has no use with it`);
}

/** The password clients must give, or null when none is set. */
export function readPassword(config: ServeConfig): string | null {
  if (config.requirepass !== undefined) return config.requirepass;
  if (config.passwordFile === undefined) return null;
  let text: string;
  try {
    text = readFileSync(config.passwordFile, 'utf8');
  } catch (err) {
    throw new FileAccessError(config.passwordFile, err);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ServeConfigError(`serve: ${config.passwordFile}: the password file is empty`);
  return password;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIPv4(host) && host.startsWith('127.');
}
