import { Section } from './archive-format.js';
import type { ArchiveReader } from './archive-reader.js';
import { readSectionTable } from './section-codec.js';

export interface SectionTotal {
  /** The section's name in Section (archive-format.ts), or `section N` for an id this version does not know. */
  name: string;
  /** Bytes in the archive (compressed), summed over the blocks. */
  stored: number;
  /** Bytes once decompressed. */
  decoded: number;
}

const NAMES = new Map<number, string>(Object.entries(Section).map(([name, id]) => [id, name]));

/**
 * Where an archive's bytes go, per section over all blocks (`esc archive info --sections`): which streams to
 * work on to make archives smaller. Reads every block's payload, checked; a damaged block throws.
 */
export function sectionTotals(reader: ArchiveReader): SectionTotal[] {
  const totals = new Map<number, SectionTotal>();
  for (let n = 0; n < reader.blocks.length; n++) {
    const payload = reader.readPayload(n);
    const sections = reader.checked(n, () => readSectionTable(payload));
    for (const [id, entry] of sections) {
      let total = totals.get(id);
      if (total === undefined) {
        total = { name: NAMES.get(id) ?? `section ${id}`, stored: 0, decoded: 0 };
        totals.set(id, total);
      }
      total.stored += entry.stored.length;
      total.decoded += entry.decodedLength;
    }
  }
  return [...totals.entries()].sort((a, b) => a[0] - b[0]).map(([, total]) => total);
}
