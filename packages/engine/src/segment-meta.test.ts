import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open } from './engine.js';
import { readManifest } from './manifest.js';
import { segmentFileName } from './segment-format.js';
import { manifestEntry, segmentInfo, segmentProperties } from './segment-meta.js';
import { SegmentReader } from './segment-reader.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';

const tempDir = useTempDirs('meta');

describe('segment metadata mapper', () => {
  it('carries every property of the file into the manifest, back into a reader, and into stats', async () => {
    const dir = tempDir();
    const db = await open(dir, { autoCompact: false });
    await db.batch([
      { type: 'put', key: 'b', value: '2' },
      { type: 'del', key: 'a' },
    ]);
    await db.flush();
    const stats = await db.stats();
    await db.close();

    const [entry] = readManifest(dir)!.segments;
    const path = join(dir, segmentFileName(entry!.id));
    const file = SegmentReader.open(entry!.id, path, null, null);
    try {
      // The properties block as written, field for field: nothing dropped, nothing added.
      expect(segmentProperties(file.props)).toEqual(file.props);
      expect(manifestEntry(file, 0)).toEqual(entry);
      expect(segmentProperties(entry!)).toEqual(file.props);
      expect(stats.segments).toEqual([segmentInfo(file, 0)]);
      expect(stats.segments[0]).toMatchObject({
        entries: 2,
        tombstones: 1,
        minKey: Buffer.from('a'),
        maxKey: Buffer.from('b'),
      });
    } finally {
      file.unref();
    }
  });
});
