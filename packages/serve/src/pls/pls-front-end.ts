import type { AddressInfo } from 'node:net';
import type { CommandFamily } from '../command-spec.js';
import type { FamilyEnv } from '../family-env.js';
import { isLoopback } from '../serve-config.js';
import { startPlsServer } from './pls-server.js';

/**
 * start-server's line for the PyLogStreams front-end: listens on --pls-port (nothing when it is 0) over the shared
 * topic store, and joins the families as one without commands, so INFO shows its counters and the server's stop
 * closes it (before the store).
 */
export async function startPlsFrontEnd(
  env: FamilyEnv,
): Promise<{ address: AddressInfo; family: CommandFamily } | null> {
  const { config } = env;
  if (config.plsPort === 0) return null;
  // The protocol has no AUTH, so a password cannot protect it: off loopback it is served only with --insecure.
  const host = config.insecure || isLoopback(config.bind) ? config.bind : '127.0.0.1';
  if (host !== config.bind)
    env.logger.warn(
      { bind: config.bind, pls: host },
      'the PyLogStreams protocol has no authentication: its port listens on 127.0.0.1 only (--insecure to serve it on --bind)',
    );
  const pls = await startPlsServer({
    topics: env.streams(),
    host,
    port: config.plsPort,
    sync: config.sync,
    logger: env.logger,
    heartbeatMs: config.plsHeartbeatMs,
  });
  return {
    address: pls.address,
    family: { commands: [], info: (section) => pls.info(section), close: () => pls.close() },
  };
}
