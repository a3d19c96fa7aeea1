import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams } from './topic-store.js';

const tempDir = useTempDirs('verify');

async function fill(dir: string): Promise<string> {
  const s = openStreams(dir, { onWarning: () => undefined });
  s.createTopic('t', { segmentBytes: 4096, indexIntervalBytes: 512 });
  for (let i = 0; i < 200; i += 5)
    await s.append(
      't',
      Array.from({ length: 5 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}`.padEnd(60, '-') })),
    );
  await s.close();
  return join(dir, 't', '0');
}

function snapshot(part: string): Map<string, Buffer> {
  return new Map(readdirSync(part).map((f) => [f, readFileSync(join(part, f))]));
}

function verify(dir: string) {
  const s = openStreams(dir, { onWarning: () => undefined });
  try {
    return s.verify('t');
  } finally {
    void s.close();
  }
}

describe('verify', () => {
  it('finds nothing wrong in a healthy topic and counts everything', async () => {
    const dir = tempDir();
    await fill(dir);
    const [report] = verify(dir);
    expect(report!.problems).toEqual([]);
    expect(report!.records).toBe(200);
    expect(report!.segments).toBeGreaterThan(3);
  });

  it.each([
    ['a closed segment', '.log', (b: Buffer) => 12 + b.readUInt32BE(8) + 50, /checksum mismatch/],
    // The last entry: damage to an earlier one can show as the next one being out of order.
    [
      'an offset index',
      '.index',
      (b: Buffer) => b.length - 8 + 6,
      /does not point at a batch with that offset|out of order/,
    ],
    ['a time index', '.timeindex', (b: Buffer) => b.length - 12 + 11, /out of order|where no batch starts/],
  ])('reports a flipped byte in %s with file and position, and changes nothing', async (_what, ext, at, message) => {
    const dir = tempDir();
    const part = await fill(dir);
    const file = join(
      part,
      readdirSync(part)
        .filter((f) => f.endsWith(ext))
        .sort()[0]!,
    );
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThanOrEqual(16);
    const position = at(bytes);
    bytes[position]! ^= 0x08;
    writeFileSync(file, bytes);
    const before = snapshot(part);
    const [report] = verify(dir);
    expect(report!.problems.length).toBeGreaterThan(0);
    expect(report!.problems[0]!.file).toBe(file);
    expect(report!.problems[0]!.message).toMatch(message);
    const entrySize = ext === '.index' ? 8 : ext === '.timeindex' ? 12 : 0;
    expect(report!.problems[0]!.offset).toBe(
      ext === '.log' ? 12 + bytes.readUInt32BE(8) : position - (position % entrySize),
    );
    expect(snapshot(part)).toEqual(before);
  });
});
