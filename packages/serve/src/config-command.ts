import { compileRedisGlob } from '@esc/kv';
import type { CommandSpec } from './command-spec.js';
import { bulk, error, type Reply } from './reply.js';
import type { ServeConfig } from './serve-config.js';
import { containerSpec } from './subcommands.js';

/**
 * CONFIG GET, for tools that read a few settings at start-up (redis-benchmark reads `save` and `appendonly`):
 * Redis's names for the settings esc serve has, with their values. CONFIG SET answers an error: the settings
 * come from the flags and the --config file.
 */
export function configCommand(config: ServeConfig): CommandSpec {
  const out = config.pubsubOutputLimit;
  const params: [string, string][] = [
    ['bind', config.bind],
    ['port', String(config.respPort)],
    ['databases', '1'],
    ['maxclients', String(config.maxClients)],
    ['proto-max-bulk-len', String(config.protoMaxBulkLen)],
    ['client-query-buffer-limit', String(config.clientQueryBufferLimit)],
    [
      'client-output-buffer-limit',
      `normal 0 0 0 slave 0 0 0 pubsub ${out.hardBytes} ${out.softBytes} ${out.softSeconds}`,
    ],
    ['save', ''],
    ['appendonly', config.sync === 'none' ? 'no' : 'yes'],
    ['appendfsync', config.sync === 'always' ? 'always' : config.sync === 'batch' ? 'everysec' : 'no'],
    ['timeout', '0'],
    ['tcp-keepalive', '300'],
  ];
  return containerSpec('config', -2, ['admin', 'noscript', 'loading', 'stale'], {
    get: {
      arity: -3,
      handler: (args): Reply => {
        const matchers = args.slice(2).map((a) => compileRedisGlob(a.toString('latin1').toLowerCase()));
        const found = params.filter(([name]) => matchers.some((m) => m(name)));
        return { kind: 'map', entries: found.map(([k, v]) => [bulk(k), bulk(v)] as const) };
      },
    },
    set: {
      arity: -4,
      handler: () => error('ERR CONFIG SET is not supported by esc serve: its settings are its flags'),
    },
  });
}
