import { connectRedis } from '@esc/redis';
import { Cluster } from 'ioredis';
import type { CommandFamily } from '../command-spec.js';
import type { FamilyEnv } from '../family-env.js';
import { forwardFamily } from './forward-family.js';

/** The RESP commands of `esc serve --backend URL`: forwarded to the backend over one connection, closed with the family. */
export async function backendFamily(env: FamilyEnv): Promise<CommandFamily> {
  const connection = await connectRedis(env.config.backend!, { failFast: false, connectionName: 'esc-serve-resp' });
  // Replies as RESP3 types (maps as objects), so a RESP3 client gets maps where Redis sends them.
  const client = connection.client;
  const forwarding =
    client instanceof Cluster
      ? client.duplicate(undefined, { redisOptions: { ...client.options.redisOptions, replyMapping: 'resp3' } })
      : client.duplicate({ replyMapping: 'resp3' });
  forwarding.on('error', () => {});
  const close = async () => {
    forwarding.disconnect();
    await connection.close();
  };
  try {
    await forwarding.connect();
    const family = await forwardFamily(connection, forwarding);
    return { ...family, close };
  } catch (err) {
    await close();
    throw err;
  }
}
