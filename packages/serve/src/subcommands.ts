import type { CommandHandler, CommandSpec, Subcommand } from './command-spec.js';
import { error, type Reply } from './reply.js';

/**
 * A container command (CLIENT, PUBSUB, XGROUP, XINFO): its spec with the subcommand table, and a handler that
 * dispatches on args[1] with Redis's texts, `unknown subcommand 'x'. Try CLIENT HELP.` and `wrong number of
 * arguments for 'client|setname' command` (so a handler called directly in a unit test behaves as served).
 */
export function containerSpec(
  name: string,
  arity: number,
  flags: readonly string[],
  subcommands: Readonly<Record<string, Subcommand>>,
): CommandSpec {
  const table = new Map(Object.entries(subcommands).map(([k, v]) => [k.toLowerCase(), v]));
  const handler: CommandHandler = (args, ctx) => {
    const found = findSubcommand(name, table, args);
    return 'kind' in found ? found : found.handler(args, ctx);
  };
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, handler, subcommands: Object.fromEntries(table) };
}

/** The subcommand args[1] names, or the error Redis answers (unknown, or the wrong number of arguments). */
export function findSubcommand(
  container: string,
  table: ReadonlyMap<string, Subcommand>,
  args: readonly Buffer[],
): Subcommand | Reply {
  const subName = args[1]!.toString('latin1');
  const sub = table.get(subName.toLowerCase());
  if (sub === undefined)
    return error(`ERR unknown subcommand '${subName.slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`);
  if (sub.arity > 0 ? sub.arity !== args.length : args.length < -sub.arity)
    return error(`ERR wrong number of arguments for '${container}|${subName.toLowerCase()}' command`);
  return sub;
}
