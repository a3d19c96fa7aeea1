import { ExitCode, UsageError } from '@esc/core';
import { resolveServeConfig, type ServeConfigInput, startServer, stopOnSignal } from '@esc/serve';
import { type Command, intArg, newCommand, Option, runAction } from '../command-kit.js';

interface ServeFlags extends ServeConfigInput {
  config?: string;
}

/**
 * `esc serve`: one process serving the kv store and the topic logs over Redis's protocol (and PyLogStreams').
 * Flags left out fall back to the --config file, then to the defaults (docs/serve.md); commander gets no defaults
 * so that a flag given always wins and one left out never hides the file's value.
 */
export function createCommand(): Command {
  const port = (flag: string) => (value: string) => {
    const n = intArg(flag)(value);
    if (n > 65535) throw new UsageError(`${flag}: invalid port '${value}'`);
    return n;
  };
  return newCommand(
    'serve',
    'serve the kv store and the topics over RESP (Redis clients) and the PyLogStreams protocol',
  )
    .option('--dir <dir>', 'the topics directory (default: $ESC_STREAMS_DIR, else $XDG_DATA_HOME/esc/streams)')
    .option(
      '--backend <url>',
      'keep the state in Redis (redis://… or redis-cluster://…), nothing here: HTTP events and alerts, RESP forwarded',
    )
    .option('--kv-store <path>', 'the kv store file (default: DIR/kv.json with --dir, else the one esc kv uses)')
    .option('--bind <address>', 'the address to listen on (default: 127.0.0.1)')
    .option('--resp-port <port>', 'the RESP (Redis protocol) port; 0: off (default: 6380)', port('--resp-port'))
    .option('--pls-port <port>', 'the PyLogStreams protocol port; 0: off (default: 1234)', port('--pls-port'))
    .option('--http-port <port>', 'the HTTP port; 0: off (default: 8080)', port('--http-port'))
    .option('--rules <file>', 'the HTTP alert rules (JSON; default: 10 ERROR in 1 min, 3 CRITICAL in 30 s)')
    .option('--alert-webhook <url>', 'POST each alert notification as JSON to this URL (overrides the rules file)')
    .option('--requirepass <secret>', 'the password clients must give with AUTH')
    .option('--password-file <file>', 'read the password from this file (its trailing newline dropped)')
    .addOption(
      new Option(
        '--sync <mode>',
        'none: in the OS; batch: plus a background sync (default); always: synced before the reply',
      ).choices(['none', 'batch', 'always']),
    )
    .option('--max-clients <n>', 'the most clients connected at once (default: 10000)', intArg('--max-clients', 1))
    .addOption(
      new Option('--log-level <level>', 'structured log lines on stderr from this level (default: info)').choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'fatal',
        'silent',
      ]),
    )
    .option('--config <file>', 'a JSON file of these settings (camelCase names: respPort, maxClients…)')
    .option('--insecure', 'allow a non-loopback --bind without a password')
    .addHelpText(
      'after',
      '\nStops on SIGTERM/SIGINT, finishing the commands in flight; a second SIGINT exits at once.\n' +
        'Exit status: 0 stopped, 2 error or a second SIGINT.',
    )
    .action(runAction(serve));
}

async function serve(flags: ServeFlags): Promise<number> {
  const { config: configFile, ...settings } = flags;
  const config = resolveServeConfig(settings, configFile);
  const server = await startServer(config, { version: process.env.npm_package_version });
  for (const address of server.addresses) process.stderr.write(`esc serve: listening (${address})\n`);
  await stopOnSignal(server, () => {
    process.stderr.write('esc serve: SIGINT again: exiting now, without finishing the stop\n');
    process.exit(ExitCode.Error);
  });
  return ExitCode.Ok;
}
