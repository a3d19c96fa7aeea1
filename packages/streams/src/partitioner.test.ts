import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.js';

describe('murmur2', () => {
  // The cases of Kafka's own UtilsTest.testMurmur2 (clients/src/test/.../common/utils/UtilsTest.java).
  const kafkaCases: [Uint8Array, number][] = [
    [Buffer.from('21'), -973932308],
    [Buffer.from('foobar'), -790332482],
    [Buffer.from('a-little-bit-long-string'), -985981536],
    [Buffer.from('a-little-bit-longer-string'), -1486304829],
    [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [Uint8Array.from([97, 98, 99]), 479470107],
  ];
  it.each(kafkaCases)('hashes %s as Kafka does', (data, expected) => {
    expect(murmur2(data)).toBe(expected);
  });

  it('handles the empty key and bytes with the top bit set', () => {
    // Java bytes are signed; Kafka masks them with 0xff, which the Uint8Array gives for free.
    expect(murmur2(new Uint8Array(0))).toBe(murmur2(Buffer.alloc(0)));
    expect(murmur2(Uint8Array.from([0xff, 0x80, 0x7f]))).not.toBe(murmur2(Uint8Array.from([0x7f, 0x80, 0xff])));
  });
});

describe('partitionForKey', () => {
  it('is toPositive(murmur2) modulo the partition count, as Kafka', () => {
    // -973932308 & 0x7fffffff = 1173551340; 1173551340 % 12 = 0
    expect(partitionForKey(Buffer.from('21'), 12)).toBe(1173551340 % 12);
    for (let p = 1; p < 20; p++) expect(partitionForKey(Buffer.from('foobar'), p)).toBe((-790332482 & 0x7fffffff) % p);
  });
});
