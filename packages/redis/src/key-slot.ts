import calculateSlot from 'cluster-key-slot';

/** Redis Cluster's hash slot of a key: CRC16 of the key (or of its `{hash tag}`) modulo 16384. */
export function keySlot(key: string | Buffer): number {
  return calculateSlot(key);
}

/**
 * Splits keys by hash slot, as cluster clients split MGET/MSET/DEL/EXISTS: one group per slot, each with the
 * keys' positions in the input so replies can be put back in order.
 */
export function groupBySlot<K extends string | Buffer>(
  keys: readonly K[],
): { slot: number; indexes: number[]; keys: K[] }[] {
  const groups = new Map<number, { slot: number; indexes: number[]; keys: K[] }>();
  keys.forEach((key, index) => {
    const slot = calculateSlot(key);
    let group = groups.get(slot);
    if (group === undefined) {
      group = { slot, indexes: [], keys: [] };
      groups.set(slot, group);
    }
    group.indexes.push(index);
    group.keys.push(key);
  });
  return [...groups.values()];
}
