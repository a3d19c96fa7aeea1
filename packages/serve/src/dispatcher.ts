import type { AckedReply } from './acked-reply.js';
import type { CommandTable } from './command-table.js';
import type { Client } from './client.js';
import type { ParsedCommand } from './parsed-command.js';
import { error, type Reply } from './reply.js';
import { findSubcommand } from './subcommands.js';

const NOAUTH = error('NOAUTH Authentication required.');

/**
 * Runs one request as Redis's processCommand does, checks in Redis's order: unknown command, arity,
 * authentication, the RESP2 Pub/Sub context; then the handler.
 */
export class Dispatcher {
  commandsProcessed = 0;

  constructor(private readonly table: CommandTable) {}

  /** `name` is the command's first argument (`command.arg(0)`), which the caller keeps for a failure's log. */
  execute(command: ParsedCommand, name: Buffer, conn: Client): Reply | Promise<Reply> | AckedReply {
    const entry = this.table.lookupBytes(name);
    if (entry === undefined) return unknownCommand(name.toString('latin1'), command.args());
    const arity = entry.spec.arity;
    const n = command.length;
    if (arity > 0 ? arity !== n : n < -arity)
      return error(`ERR wrong number of arguments for '${entry.spec.name}' command`);
    let handler = entry.spec.handler;
    let fullName = entry.spec.name;
    if (entry.subcommands !== null && n > 1) {
      const args = command.args();
      const sub = findSubcommand(fullName, entry.subcommands, args);
      if ('kind' in sub) return sub;
      handler = sub.handler;
      fullName = `${fullName}|${args[1]!.toString('latin1').toLowerCase()}`;
    }
    if (!conn.authenticated && !entry.noAuth) return NOAUTH;
    if (conn.protocol === 2 && !entry.inSubscribedMode && conn.subscriptionCount > 0)
      return error(
        `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
    entry.calls++;
    this.commandsProcessed++;
    conn.lastCommand = fullName;
    const inPlace = entry.spec.inPlace;
    if (inPlace !== undefined && handler === entry.spec.handler) return inPlace(command, conn.context);
    return handler(command.args(), conn.context);
  }
}

/** `unknown command 'foo', with args beginning with: 'a' 'b' `: the name and arguments cut as Redis cuts them. */
function unknownCommand(name: string, args: readonly Buffer[]): Reply {
  let list = '';
  for (let i = 1; i < args.length && list.length < 128; i++)
    list += `'${args[i]!.toString('latin1').slice(0, 128 - list.length)}' `;
  return error(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${list}`);
}
