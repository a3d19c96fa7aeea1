import type { CommandContext, CommandFamily, CommandSpec } from './command-spec.js';
import type { Client } from './client.js';
import { array, bulk, error, integer, NULL_BULK, OK, PONG, type Reply, simple } from './reply.js';
import type { ServerState } from './server-state.js';
import { containerSpec } from './subcommands.js';

/** The Redis version clients are told (feature checks in client libraries read it); INFO adds esc's own. */
export const REDIS_COMPAT_VERSION = '7.0.15';

const WRONGPASS = error('WRONGPASS invalid username-password pair or user is disabled.');
const NOT_INTEGER = error('ERR value is not an integer or out of range');
const BAD_NAME = error('ERR Client names cannot contain spaces, newlines or special characters.');
const EMPTY_BULK = bulk('');
const PONG_LOWER = bulk('pong');

const conn = (ctx: CommandContext) => ctx.connection as Client;

/** PING ECHO HELLO AUTH SELECT QUIT RESET TIME CLIENT: the connection's own commands, with Redis's texts. */
export function connectionFamily(server: ServerState): CommandFamily {
  const checkPassword = (user: string, password: Buffer): boolean =>
    user === 'default' && (server.password === null || password.toString('utf8') === server.password);

  const ping = (args: readonly Buffer[], ctx: CommandContext): Reply => {
    if (args.length > 2) return error("ERR wrong number of arguments for 'ping' command");
    const c = conn(ctx);
    if (c.protocol === 2 && c.subscriptionCount > 0)
      return array([PONG_LOWER, args.length === 2 ? bulk(args[1]!) : EMPTY_BULK]);
    return args.length === 2 ? bulk(args[1]!) : PONG;
  };

  const auth = (args: readonly Buffer[], ctx: CommandContext): Reply => {
    if (args.length > 3) return error('ERR syntax error');
    if (args.length === 2 && server.password === null)
      return error(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    const user = args.length === 3 ? args[1]!.toString('utf8') : 'default';
    if (!checkPassword(user, args[args.length - 1]!)) {
      server.logger.warn({ client: ctx.connection.id, addr: conn(ctx).remoteAddress }, 'authentication failed');
      return WRONGPASS;
    }
    conn(ctx).authenticated = true;
    return OK;
  };

  const hello = (args: readonly Buffer[], ctx: CommandContext): Reply => {
    const c = conn(ctx);
    let protocol = c.protocol;
    let i = 1;
    if (args.length > 1) {
      const ver = parseInteger(args[1]!);
      if (ver === null) return error('ERR Protocol version is not an integer or out of range');
      if (ver < 2 || ver > 3) return error('NOPROTO unsupported protocol version');
      protocol = ver as 2 | 3;
      i = 2;
    }
    let name: Buffer | null = null;
    let credentials: [string, Buffer] | null = null;
    for (; i < args.length; i++) {
      const option = args[i]!.toString('latin1').toLowerCase();
      const left = args.length - i - 1;
      if (option === 'auth' && left >= 2) {
        credentials = [args[i + 1]!.toString('utf8'), args[i + 2]!];
        i += 2;
      } else if (option === 'setname' && left >= 1) {
        name = args[i + 1]!;
        if (!validName(name)) return BAD_NAME;
        i += 1;
      } else return error(`ERR Syntax error in HELLO option '${args[i]!.toString('latin1')}'`);
    }
    if (credentials !== null) {
      if (!checkPassword(credentials[0], credentials[1])) return WRONGPASS;
      c.authenticated = true;
    }
    if (!c.authenticated)
      return error(
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
      );
    if (name !== null) c.name = name.length === 0 ? null : name.toString('latin1');
    c.protocol = protocol;
    return {
      kind: 'map',
      entries: [
        [bulk('server'), bulk('redis')],
        [bulk('version'), bulk(REDIS_COMPAT_VERSION)],
        [bulk('proto'), integer(protocol)],
        [bulk('id'), integer(c.id)],
        [bulk('mode'), bulk('standalone')],
        [bulk('role'), bulk('master')],
        [bulk('modules'), array([])],
      ],
    };
  };

  const reset = (_args: readonly Buffer[], ctx: CommandContext): Reply => {
    const c = conn(ctx);
    server.pubsub.unsubscribeAll(c);
    c.protocol = 2;
    c.name = null;
    c.authenticated = server.password === null;
    return simple('RESET');
  };

  const client = containerSpec('client', -2, ['sentinel'], {
    setname: {
      arity: 3,
      handler: (args, ctx) => {
        if (!validName(args[2]!)) return BAD_NAME;
        conn(ctx).name = args[2]!.length === 0 ? null : args[2]!.toString('latin1');
        return OK;
      },
    },
    getname: {
      arity: 2,
      handler: (_args, ctx) =>
        ctx.connection.name === null ? NULL_BULK : bulk(Buffer.from(ctx.connection.name, 'latin1')),
    },
    id: { arity: 2, handler: (_args, ctx) => integer(ctx.connection.id) },
    info: { arity: 2, handler: (_args, ctx) => verbatim(clientLine(conn(ctx), server.now())) },
    list: {
      arity: -2,
      handler: (args) => {
        if (args.length > 2) return error('ERR syntax error');
        const now = server.now();
        let text = '';
        for (const c of server.clients.values()) text += clientLine(c, now);
        return verbatim(text);
      },
    },
  });

  const commands: CommandSpec[] = [
    spec('ping', -1, ['fast', 'sentinel'], ping),
    spec('echo', 2, ['fast'], (args) => bulk(args[1]!)),
    spec('hello', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], hello),
    spec('auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], auth),
    spec('select', 2, ['loading', 'stale', 'fast'], (args) => {
      const db = parseInteger(args[1]!);
      if (db === null) return NOT_INTEGER;
      return db === 0 ? OK : error('ERR DB index is out of range');
    }),
    spec('quit', -1, ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], (_args, ctx) => {
      conn(ctx).closeAfterReply();
      return OK;
    }),
    spec('reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], reset),
    spec('time', 1, ['loading', 'stale', 'fast'], () => {
      const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
      return array([bulk(String(us / 1_000_000n)), bulk(String(us % 1_000_000n))]);
    }),
    client,
  ];
  return { commands };
}

/** One line of CLIENT LIST in Redis 7.0's field order; memory figures Redis tracks per client are 0 here. */
function clientLine(c: Client, now: number): string {
  const sub = c.channels.size;
  const psub = c.patterns.size;
  const flags = sub + psub > 0 ? 'P' : 'N';
  const age = Math.floor((now - c.createdAt) / 1000);
  const idle = Math.floor((now - c.lastInteraction) / 1000);
  return (
    `id=${c.id} addr=${c.remoteAddress} laddr=${c.localAddress} fd=-1 name=${c.name ?? ''} age=${age} idle=${idle} ` +
    `flags=${flags} db=0 sub=${sub} psub=${psub} ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 ` +
    `rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=${c.lastCommand} user=default redir=-1 resp=${c.protocol}\n`
  );
}

const verbatim = (text: string): Reply => ({ kind: 'verbatim', format: 'txt', text });

/** Redis accepts client names of printable ASCII without blanks ('!' to '~'); empty clears the name. */
function validName(name: Buffer): boolean {
  for (const c of name) if (c < 0x21 || c > 0x7e) return false;
  return true;
}

/** A strict decimal integer (string2ll): null when not one. */
function parseInteger(arg: Buffer): number | null {
  const text = arg.toString('latin1');
  if (!/^-?(0|[1-9]\d{0,18})$/.test(text) || text === '-0') return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export function spec(name: string, arity: number, flags: string[], handler: CommandSpec['handler']): CommandSpec {
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, handler };
}
