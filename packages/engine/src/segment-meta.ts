import type { SegmentMeta } from './manifest.js';
import type { SegmentProperties } from './segment-format.js';
import type { SegmentReader } from './segment-reader.js';

/** A live segment as stats() and the CLI show it: the manifest's entry with keys as bytes and the file's path. */
export interface SegmentInfo {
  id: number;
  file: string;
  level: number;
  minKey: Buffer;
  maxKey: Buffer;
  sizeBytes: number;
  entries: number;
  tombstones: number;
  bloomBitsPerKey: number;
  bloomHashes: number;
  createdAt: number;
}

/**
 * The one place that lists a segment's properties: the file's properties block, the manifest's entry (which
 * keeps a copy, so a segment with a damaged properties block still opens) and stats' SegmentInfo all carry
 * exactly these, copied from one another through here. Picks the fields, so nothing else rides along.
 */
export function segmentProperties(p: SegmentProperties): SegmentProperties {
  return {
    entries: p.entries,
    tombstones: p.tombstones,
    minKey: p.minKey,
    maxKey: p.maxKey,
    createdAt: p.createdAt,
    bloomBitsPerKey: p.bloomBitsPerKey,
    bloomHashes: p.bloomHashes,
  };
}

/** The manifest's entry for a live segment. */
export function manifestEntry(s: SegmentReader, level: number): SegmentMeta {
  return { id: s.id, level, sizeBytes: s.sizeBytes, ...segmentProperties(s.props) };
}

export function segmentInfo(s: SegmentReader, level: number): SegmentInfo {
  const { minKey: _hexMin, maxKey: _hexMax, ...counts } = segmentProperties(s.props);
  return { id: s.id, file: s.path, level, minKey: s.minKey, maxKey: s.maxKey, sizeBytes: s.sizeBytes, ...counts };
}
