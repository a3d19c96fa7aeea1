import { SegmentCursor } from './segment-cursor.js';
import { segmentInfo, type SegmentInfo } from './segment-meta.js';
import { SegmentReader } from './segment-reader.js';
import { verifySegment, type VerifyProblem } from './segment-verify.js';

/** A standalone view of one segment file, for `esc engine dump`. */
export interface SegmentReaderHandle {
  readonly info: Omit<SegmentInfo, 'level'> & { blocks: number };
  /** Every entry in key order; value null is a tombstone. Segments keep no sequence numbers. */
  entries(): AsyncIterable<{ key: Buffer; value: Buffer | null; seq?: number }>;
  verify(): VerifyProblem[];
  close(): Promise<void>;
}

export async function openSegmentReader(path: string): Promise<SegmentReaderHandle> {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const id = Number(/^(\d+)/.exec(base)?.[1] ?? 0);
  const r = SegmentReader.open(id, path, null, null);
  // A file outside any manifest has no level.
  const { level: _none, ...fileInfo } = segmentInfo(r, 0);
  return {
    info: { ...fileInfo, blocks: r.blockCount },
    async *entries() {
      const c = new SegmentCursor(r, false);
      c.seek(null, true);
      while (c.valid) {
        yield { key: c.key, value: c.value };
        c.next();
      }
    },
    verify: () => verifySegment(r),
    close: async () => r.unref(),
  };
}
