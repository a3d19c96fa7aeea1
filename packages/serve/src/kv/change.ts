import type { KvLiveTransaction, LiveKvStore } from '@esc/kv';
import { AckedReply } from '../acked-reply.js';
import type { Reply } from '../reply.js';

/**
 * A change through the store, its reply held until the store acknowledges it: an AckedReply sharing the
 * store's group acknowledgement (no promise per command), the reply itself when nothing changed, or a promise
 * when the change waits for the lock.
 */
export function change(store: LiveKvStore, fn: (tx: KvLiveTransaction) => Reply): Reply | Promise<Reply> | AckedReply {
  const done = store.writeDeferred(fn);
  if (done instanceof Promise) return done;
  return done.acked === null ? done.value : new AckedReply(done.value, done.acked);
}
