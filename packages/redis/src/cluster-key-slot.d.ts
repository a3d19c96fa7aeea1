// cluster-key-slot (ioredis's own slot calculator) ships no types.
declare module 'cluster-key-slot' {
  /** The hash slot (0..16383) of a key, honouring {hash tags}. */
  export default function calculateSlot(key: string | Buffer): number;
}
