import { arch, platform, release } from 'node:os';
import type { CommandFamily, CommandSpec } from './command-spec.js';
import type { CommandTable, TableEntry } from './command-table.js';
import { REDIS_COMPAT_VERSION, spec } from './connection-family.js';
import type { Dispatcher } from './dispatcher.js';
import { array, bulk, error, integer, NULL_BULK, type Reply, simple } from './reply.js';
import type { ServerState } from './server-state.js';
import { containerSpec } from './subcommands.js';

/** INFO's default sections, in Redis's order. */
const SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'keyspace'] as const;

/** COMMAND (COUNT, INFO, DOCS, LIST) and INFO, read from the command table and the families. */
export function introspectionFamily(
  server: ServerState,
  table: CommandTable,
  dispatcher: Dispatcher,
  families: () => readonly CommandFamily[],
  escVersion: string,
): CommandFamily {
  const command = containerSpec('command', -1, ['loading', 'stale', 'sentinel'], {
    count: { arity: 2, handler: () => integer(table.all().length) },
    list: { arity: -2, handler: () => array(table.all().map((e) => bulk(e.spec.name))) },
    info: {
      arity: -2,
      handler: (args) =>
        array(
          args.length === 2
            ? table.all().map(commandInfo)
            : args.slice(2).map((name) => {
                const e = table.lookup(name.toString('latin1'));
                return e === undefined ? NULL_BULK : commandInfo(e);
              }),
        ),
    },
    // No per-argument documentation to give: redis-cli, on this error, falls back to its built-in hints (help.h),
    // which describe the very Redis commands esc serves; client libraries do not ask.
    docs: {
      arity: -2,
      handler: () => error('ERR COMMAND DOCS is not supported by esc serve (redis-cli uses its built-in hints)'),
    },
  });
  // COMMAND alone lists every command; with a subcommand it is a container like the others.
  const commandHandler: CommandSpec['handler'] = (args, ctx) =>
    args.length === 1 ? array(table.all().map(commandInfo)) : command.handler(args, ctx);

  const fields = (section: string): (readonly [string, string | number])[] => {
    const own = builtinFields(section);
    for (const f of families()) if (f.info) own.push(...f.info(section));
    return own;
  };
  const builtinFields = (section: string): (readonly [string, string | number])[] => {
    const now = server.now();
    switch (section) {
      case 'server': {
        const uptime = Math.floor((now - server.startedAt) / 1000);
        return [
          ['redis_version', REDIS_COMPAT_VERSION],
          ['esc_version', escVersion],
          ['redis_mode', 'standalone'],
          ['os', `${platform() === 'linux' ? 'Linux' : platform()} ${release()} ${arch()}`],
          ['arch_bits', 64],
          ['process_id', process.pid],
          ...server.serverInfo(),
          ['server_time_usec', now * 1000],
          ['uptime_in_seconds', uptime],
          ['uptime_in_days', Math.floor(uptime / 86400)],
          ['executable', process.argv[1] ?? ''],
        ];
      }
      case 'clients':
        return [
          ['connected_clients', server.clients.size],
          ['maxclients', server.maxClients],
          ['blocked_clients', 0],
        ];
      case 'memory': {
        const m = process.memoryUsage();
        const used = m.heapUsed + m.external + m.arrayBuffers;
        return [
          ['used_memory', used],
          ['used_memory_human', human(used)],
          ['used_memory_rss', m.rss],
          ['used_memory_rss_human', human(m.rss)],
          ['maxmemory', 0],
          ['maxmemory_human', '0B'],
          ['maxmemory_policy', 'noeviction'],
        ];
      }
      case 'persistence':
        return [
          ['loading', 0],
          ['async_loading', 0],
        ];
      case 'stats':
        return [
          ['total_connections_received', server.stats.connectionsReceived],
          ['total_commands_processed', dispatcher.commandsProcessed],
          ['rejected_connections', server.stats.rejectedConnections],
          ['client_output_buffer_limit_disconnections', server.stats.outputLimitDisconnections],
        ];
      default:
        return [];
    }
  };

  const info: CommandSpec['handler'] = (args) => {
    const wanted = new Set(args.slice(1).map((a) => a.toString('latin1').toLowerCase()));
    const all = wanted.size === 0 || wanted.has('all') || wanted.has('everything') || wanted.has('default');
    let text = '';
    for (const section of SECTIONS) {
      if (!all && !wanted.has(section)) continue;
      if (text !== '') text += '\r\n';
      text += `# ${section[0]!.toUpperCase()}${section.slice(1)}\r\n`;
      for (const [k, v] of fields(section)) text += `${k}:${v}\r\n`;
    }
    return { kind: 'verbatim', format: 'txt', text };
  };

  return {
    commands: [{ ...command, handler: commandHandler }, spec('info', -1, ['loading', 'stale', 'sentinel'], info)],
  };
}

/** COMMAND INFO's ten fields, as Redis 7.0 lists them. */
function commandInfo(e: TableEntry): Reply {
  const s = e.spec;
  return array([
    bulk(s.name),
    integer(s.arity),
    { kind: 'set', items: s.flags.map((f) => simple(f)) },
    integer(s.firstKey),
    integer(s.lastKey),
    integer(s.step),
    { kind: 'set', items: [] },
    array([]),
    array([]),
    array([]),
  ]);
}

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}B` : `${v.toFixed(2)}${units[i]}`;
}
