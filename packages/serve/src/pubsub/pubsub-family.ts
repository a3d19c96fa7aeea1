import type { CommandContext, CommandFamily, CommandSpec } from '../command-spec.js';
import type { Client } from '../client.js';
import { spec } from '../connection-family.js';
import { array, bulk, integer, NULL_BULK, type Reply } from '../reply.js';
import type { ServerState } from '../server-state.js';
import { containerSpec } from '../subcommands.js';

type Change = (conn: Client, name: string) => boolean;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB, as Redis: each (un)subscription is
 * confirmed on its own (an array in RESP2, a push in RESP3) with the client's subscription count after it.
 */
export function pubsubFamily(server: ServerState): CommandFamily {
  const registry = server.pubsub;
  const change =
    (kind: string, apply: Change) =>
    (args: readonly Buffer[], ctx: CommandContext): Reply => {
      const conn = ctx.connection as Client;
      const kindReply = bulk(kind);
      const replies: Reply[] = [];
      for (let i = 1; i < args.length; i++) {
        apply(conn, args[i]!.toString('latin1'));
        replies.push(confirmation(kindReply, bulk(args[i]!), conn.subscriptionCount));
      }
      return { kind: 'sequence', replies };
    };
  const removeAll =
    (kind: string, apply: Change, current: (conn: Client) => Set<string>) =>
    (args: readonly Buffer[], ctx: CommandContext): Reply => {
      if (args.length > 1) return change(kind, apply)(args, ctx);
      const conn = ctx.connection as Client;
      const kindReply = bulk(kind);
      const replies: Reply[] = [];
      for (const name of [...current(conn)]) {
        apply(conn, name);
        replies.push(confirmation(kindReply, bulk(Buffer.from(name, 'latin1')), conn.subscriptionCount));
      }
      if (replies.length === 0) replies.push(confirmation(kindReply, NULL_BULK, conn.subscriptionCount));
      return { kind: 'sequence', replies };
    };
  const subscribe = (c: Client, n: string) => registry.subscribe(c, n);
  const unsubscribe = (c: Client, n: string) => registry.unsubscribe(c, n);
  const psubscribe = (c: Client, n: string) => registry.psubscribe(c, n);
  const punsubscribe = (c: Client, n: string) => registry.punsubscribe(c, n);
  const commands: CommandSpec[] = [
    spec('subscribe', -2, ['pubsub', 'noscript', 'loading', 'stale'], change('subscribe', subscribe)),
    spec(
      'unsubscribe',
      -1,
      ['pubsub', 'noscript', 'loading', 'stale'],
      removeAll('unsubscribe', unsubscribe, (c) => c.channels),
    ),
    spec('psubscribe', -2, ['pubsub', 'noscript', 'loading', 'stale'], change('psubscribe', psubscribe)),
    spec(
      'punsubscribe',
      -1,
      ['pubsub', 'noscript', 'loading', 'stale'],
      removeAll('punsubscribe', punsubscribe, (c) => c.patterns),
    ),
    spec('publish', 3, ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], (args) =>
      integer(registry.publish(args[1]!, args[2]!)),
    ),
    containerSpec('pubsub', -2, [], {
      channels: {
        arity: -2,
        handler: (args) =>
          array(
            registry
              .activeChannels(args.length > 2 ? args[2]!.toString('latin1') : null)
              .map((c) => bulk(Buffer.from(c, 'latin1'))),
          ),
      },
      numsub: {
        arity: -2,
        handler: (args) =>
          array(args.slice(2).flatMap((c) => [bulk(c), integer(registry.subscriberCount(c.toString('latin1')))])),
      },
      numpat: { arity: 2, handler: () => integer(registry.patternCount) },
      help: { arity: 2, handler: () => array(PUBSUB_HELP.map((l) => ({ kind: 'simple', value: l }))) },
    }),
  ];
  return {
    commands,
    info: (section) =>
      section === 'stats'
        ? [
            ['pubsub_channels', registry.channelCount],
            ['pubsub_patterns', registry.patternCount],
          ]
        : [],
  };
}

function confirmation(kind: Reply, name: Reply, count: number): Reply {
  return { kind: 'push', items: [kind, name, integer(count)] };
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'HELP',
  '    Prints this help.',
];
