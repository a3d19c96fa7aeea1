import { InvalidInputError } from '@esc/core';
import { describe, expect, it } from 'vitest';
import { type LineFormat, produceLines } from './line-producer.js';

/** Blocks as readChunks yields them, counting how many the producer has asked for. */
function countedBlocks(texts: string[]): { blocks: AsyncIterable<Buffer>; pulled: () => number } {
  let pulled = 0;
  async function* gen() {
    for (const t of texts) {
      pulled++;
      yield Buffer.from(t);
    }
  }
  return { blocks: gen(), pulled: () => pulled };
}

const text = (b: Buffer | null | undefined) => (b == null ? b : b.toString());

/** Runs produceLines with an append that settles at once; returns each append's records as text. */
async function appended(texts: string[], format: LineFormat): Promise<[string | null, string | null][][]> {
  const calls: [string | null, string | null][][] = [];
  await produceLines(countedBlocks(texts).blocks, format, async (keys, values) => {
    calls.push(values.map((v, i) => [text(keys[i])!, text(v)!]));
  });
  return calls;
}

describe('produceLines', () => {
  it('reads no block while an append is pending: one block and its records in flight', async () => {
    const { blocks, pulled } = countedBlocks(['a\nb\n', 'c\n', 'd\n']);
    const pending: (() => void)[] = [];
    const sizes: number[] = [];
    const done = produceLines(blocks, {}, (_keys, values) => {
      sizes.push(values.length);
      return new Promise<void>((resolve) => pending.push(resolve));
    });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    for (let k = 1; k <= 3; k++) {
      await settle();
      // However long the append takes, the reader has asked for exactly the block being appended.
      expect(pulled()).toBe(k);
      expect(pending).toHaveLength(1);
      pending.pop()!();
    }
    expect(await done).toBe(4);
    expect(sizes).toEqual([2, 1, 1]);
  });

  it('hands each block over as views into it, in the same two arrays every time', async () => {
    const blocks = [Buffer.from('k1:v1\nk2:v2\n'), Buffer.from('k3:v3\n')];
    const seen: { keys: readonly (Buffer | null)[]; values: readonly (Buffer | null)[] }[] = [];
    async function* gen() {
      yield* blocks;
    }
    await produceLines(gen(), { keySeparator: ':' }, async (keys, values) => {
      // No copy: the value shares the block's memory (an append encodes it before it settles).
      const block = blocks[seen.length]!;
      expect(values[0]!.buffer).toBe(block.buffer);
      expect(text(keys[0])).toBe(`k${seen.length === 0 ? 1 : 3}`);
      seen.push({ keys, values });
    });
    expect(seen[1]!.keys).toBe(seen[0]!.keys);
    expect(seen[1]!.values).toBe(seen[0]!.values);
    expect(seen[1]!.values).toHaveLength(1);
  });

  it('splits at the first separator, drops a CR before the newline and keeps a last line without one', async () => {
    expect(await appended(['a:1:2\r\nb::\n', 'c:x'], { keySeparator: ':' })).toEqual([
      [
        ['a', '1:2'],
        ['b', ':'],
      ],
      [['c', 'x']],
    ]);
    expect(await appended(['k=>v\r\n'], { keySeparator: '=>' })).toEqual([[['k', 'v']]]);
    expect(await appended(['x\r\n\n'], {})).toEqual([
      [
        [null, 'x'],
        [null, ''],
      ],
    ]);
    expect(await appended(['x\ny\n'], { key: 'K' })).toEqual([
      [
        ['K', 'x'],
        ['K', 'y'],
      ],
    ]);
  });

  it('takes each line as a key with --tombstone, or the part before the separator', async () => {
    expect(await appended(['a\r\nb\n'], { tombstone: true })).toEqual([
      [
        ['a', null],
        ['b', null],
      ],
    ]);
    expect(await appended(['a:1\n'], { tombstone: true, keySeparator: ':' })).toEqual([[['a', null]]]);
  });

  it('refuses a line without the separator by its number across blocks, after storing every line before it', async () => {
    const calls: string[][] = [];
    const run = produceLines(
      countedBlocks(['a:1\nb:2\n', 'c:3\nd\ne:5:\n']).blocks,
      { keySeparator: ':' },
      async (keys) => {
        calls.push(keys.map((k) => text(k)!));
      },
    );
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ line: 4 });
    // Line 3 (c), in the bad line's block, is stored; nothing after line 4 is.
    expect(calls).toEqual([['a', 'b'], ['c']]);
    // A bad first line of a block appends nothing of it.
    const none: number[] = [];
    await expect(
      produceLines(countedBlocks(['a:1\n', 'x\ny:2\n']).blocks, { keySeparator: ':' }, async (_k, values) => {
        none.push(values.length);
      }),
    ).rejects.toMatchObject({ line: 2 });
    expect(none).toEqual([1]);
    // A separator after the end of the line does not count (the search runs on in the block).
    await expect(
      produceLines(countedBlocks(['ab\r\n:x\n']).blocks, { keySeparator: '\r\n:' }, async () => {}),
    ).rejects.toThrow(/no key separator/);
  });
});
