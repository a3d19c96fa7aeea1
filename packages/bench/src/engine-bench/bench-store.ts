/** The few operations the benchmark needs, over esc's engine or LevelDB (classic-level), awaited alike. */
export interface BenchStore {
  put(key: Buffer, value: Buffer, sync: boolean): Promise<void>;
  batch(entries: [Buffer, Buffer][]): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  /** Counts entries in key order. */
  scanAll(): Promise<number>;
  /** A full compaction of the whole key space. */
  compactAll(lowest: Buffer, highest: Buffer): Promise<void>;
  close(): Promise<void>;
}

export type EngineName = 'esc' | 'leveldb';

export async function openStore(name: EngineName, dir: string, syncAlways: boolean): Promise<BenchStore> {
  return name === 'esc' ? openEsc(dir, syncAlways) : openLevel(dir);
}

async function openEsc(dir: string, syncAlways: boolean): Promise<BenchStore> {
  // Defaults otherwise: the benchmark measures the engine as shipped.
  // Each worker loads only the engine it measures, so neither pays for the other's code in its RSS.
  const { open } = await import('@esc/engine');
  const db = await open(dir, syncAlways ? { syncMode: 'always' } : {});
  return {
    put: (k, v, sync) => db.put(k, v, sync ? { sync: true } : undefined),
    batch: (entries) => db.batch(entries.map(([key, value]) => ({ type: 'put', key, value }))),
    get: (k) => db.get(k),
    async scanAll() {
      let n = 0;
      const it = db.iterator();
      try {
        for await (const _ of it) n++;
      } finally {
        await it.close();
      }
      return n;
    },
    compactAll: () => db.compact(),
    close: () => db.close(),
  };
}

async function openLevel(dir: string): Promise<BenchStore> {
  // classic-level's defaults (snappy compression, 4 MiB write buffer, no bloom filter), as users get them.
  const { ClassicLevel } = await import('classic-level');
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  return {
    put: (k, v, sync) => db.put(k, v, sync ? { sync: true } : {}),
    batch: (entries) => db.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value }))),
    get: (k) => db.get(k),
    async scanAll() {
      let n = 0;
      for await (const _ of db.iterator()) n++;
      return n;
    },
    compactAll: (lo, hi) => db.compactRange(lo, hi),
    close: () => db.close(),
  };
}
