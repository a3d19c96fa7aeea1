import { type FSWatcher, watch } from 'node:fs';
import type { PartitionReader } from './partition-reader.js';
import type { LogRecord } from './record-batch.js';
import type { ReadFrom, TopicStore } from './topic-store.js';
import { WakeSignal } from './wake-signal.js';

export interface ConsumeOptions {
  /** Default: every partition of the topic. */
  partitions?: readonly number[];
  /** Where each partition starts (default 'earliest'); a function picks per partition. */
  from?: ReadFrom | ((partition: number) => ReadFrom);
  /** Wait at the end of the log for new records instead of stopping. */
  follow?: boolean;
  /** With follow: stop after this long without a new record. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Records of one partition that are next in the log. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: LogRecord[];
}

/**
 * Reads a topic's partitions in turn, batch by batch, to the end of the log, or with `follow` forever: at the
 * end it waits for a partition directory to change (fs.watch: inotify on Linux), not by polling. The watchers
 * are set up before the first read, so a record landing between a read and the wait is never missed.
 */
export async function* consume(
  store: TopicStore,
  topic: string,
  options: ConsumeOptions = {},
): AsyncGenerator<ConsumedBatch> {
  const partitions = options.partitions ?? [...Array(store.topicConfig(topic).partitions).keys()];
  const fromFor = (p: number): ReadFrom => {
    const from = options.from ?? 'earliest';
    return typeof from === 'function' ? from(p) : from;
  };
  const readers: PartitionReader[] = [];
  const watchers: FSWatcher[] = [];
  let changed = false;
  const signal = new WakeSignal();
  const onChange = () => {
    changed = true;
    signal.wake();
  };
  try {
    if (options.follow) {
      for (const p of partitions) {
        const w = watch(store.partitionDir(topic, p), { persistent: true }, onChange);
        w.on('error', onChange);
        watchers.push(w);
      }
      options.signal?.addEventListener('abort', onChange, { once: true });
    }
    for (const p of partitions) readers.push(store.reader(topic, p, fromFor(p)));
    for (;;) {
      if (options.signal?.aborted) return;
      changed = false;
      let any = false;
      for (const reader of readers) {
        const records = reader.poll();
        if (records.length === 0) continue;
        any = true;
        yield { topic, partition: reader.partition, records };
      }
      if (any) continue;
      if (!options.follow) return;
      if (changed) continue;
      if (await signal.wait(options.idleTimeoutMs)) return;
    }
  } finally {
    for (const w of watchers) w.close();
    for (const r of readers) r.close();
    options.signal?.removeEventListener('abort', onChange);
  }
}
