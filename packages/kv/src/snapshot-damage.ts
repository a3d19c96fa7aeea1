import { CorruptionError } from '@esc/core';
import { checksumHex } from './journal-format.js';
import { isSnapshotEntry, isSnapshotHeader, lineChecksumProblem } from './snapshot-format.js';

/**
 * The error for a snapshot whose whole-file checksum fails, naming the damaged line. Only a damaged file comes
 * here, so this may walk every line. In a version 2 snapshot every header and entry line carries its own
 * checksum and the other lines are fixed text, so the first line that fails is the damaged one; when every line
 * holds, the damage is in the stored whole-file checksum itself (the last line). A version 1 snapshot has no
 * per-line checksums: the first line that does not parse is named, or, if every line parses, the range.
 */
export function snapshotDamageError(buf: Buffer, path: string): CorruptionError {
  const { line, what } = locateDamage(buf);
  return new CorruptionError(`snapshot checksum mismatch: ${what}; the file is damaged, refusing to touch it`, {
    path,
    line,
  });
}

interface Damage {
  line?: number;
  what: string;
}

const HEADER_START = /^\{"format":"esc-kv-snapshot","version":(\d+),/;
const ENTRIES_OPEN = '"entries":{';
const ENTRIES_OPEN_EMPTY = '"entries":{},';
const ENTRIES_CLOSE = '},';
const TRAILER = /^"crc32":"([0-9a-f]{8})"\}$/;

function locateDamage(buf: Buffer): Damage {
  const lines = splitLines(buf);
  if (lines.length === 0) return { what: 'the file is empty' };
  const text = (i: number) => lines[i]!.toString('utf8');

  const version = HEADER_START.exec(lines[0]!.toString('latin1'))?.[1];
  if (version !== '1' && version !== '2' && version !== '3')
    return { line: 1, what: 'line 1 is not the header of an esc kv snapshot of version 1, 2 or 3' };
  // Versions 2 and 3 carry a checksum on every header and entry line.
  const v2 = version !== '1';
  const headerProblem = v2
    ? lineChecksumProblem(lines[0]!, ',')
    : parsesAsHeader(text(0))
      ? null
      : 'does not parse as the header';
  if (headerProblem) return { line: 1, what: `line 1 (the header) ${headerProblem}` };

  if (lines.length < 2) return cutShort(lines.length);
  const opener = lines[1]!.toString('latin1');
  if (opener !== ENTRIES_OPEN && opener !== ENTRIES_OPEN_EMPTY)
    return { line: 2, what: `line 2 is not ${ENTRIES_OPEN}` };

  let close = 1;
  if (opener === ENTRIES_OPEN) {
    const entryProblem = (i: number): string | null => {
      const line = lines[i]!;
      if (v2) return lineChecksumProblem(line, line[line.length - 1] === 0x2c ? '},' : '}');
      return parsesAsEntry(text(i))
        ? null
        : 'does not parse as an entry (a version 1 snapshot has no per-line checksums: this is the first line that fails to parse)';
    };
    for (close = 2; close < lines.length && lines[close]!.toString('latin1') !== ENTRIES_CLOSE; close++) {
      const problem = entryProblem(close);
      if (problem) return { line: close + 1, what: `line ${close + 1} ${problem}` };
      // A comma after every entry but the last. Without one here, either this line lost it or the next line,
      // which should then be the closing "},", is the damaged one (the next round names it).
      const comma = lines[close]![lines[close]!.length - 1] === 0x2c;
      const closesNext = close + 1 < lines.length && lines[close + 1]!.toString('latin1') === ENTRIES_CLOSE;
      if (comma && closesNext)
        return { line: close + 1, what: `line ${close + 1} ends with a comma but is the last entry` };
      if (!comma && !closesNext && close + 1 < lines.length && entryProblem(close + 1) === null) {
        return { line: close + 1, what: `line ${close + 1} lacks the comma between entries` };
      }
    }
    if (close === lines.length) return cutShort(lines.length);
  }

  const trailerAt = close + 1;
  if (trailerAt >= lines.length) return cutShort(lines.length);
  const stored = TRAILER.exec(lines[trailerAt]!.toString('latin1'))?.[1];
  if (stored === undefined || trailerAt !== lines.length - 1 || buf[buf.length - 1] !== 0x0a) {
    return {
      line: trailerAt + 1,
      what: `line ${trailerAt + 1} is not the checksum trailer ("crc32":"<8 hex digits>"} and a newline, ending the file)`,
    };
  }
  const computed = checksumHex(buf.subarray(0, buf.length - lines[trailerAt]!.length - 1));
  if (v2) {
    return {
      line: trailerAt + 1,
      what: `every other line's own checksum holds, so line ${trailerAt + 1}, the stored whole-file checksum, is what is damaged (stored ${stored}, computed ${computed})`,
    };
  }
  return {
    what: `stored ${stored}, computed ${computed}; every line from 1 to ${lines.length} parses, so a character changed somewhere in them (a version 1 snapshot has no per-line checksums; the next compaction writes version 2)`,
  };
}

/** The file's lines, without their newlines (a last line without one included). */
function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    lines.push(buf.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

function cutShort(lines: number): Damage {
  return { line: lines, what: `the file ends after line ${lines}, cut short (no closing "}," and checksum trailer)` };
}

function parsesAsHeader(line: string): boolean {
  try {
    return isSnapshotHeader(JSON.parse(`${line}"entries":{}}`));
  } catch {
    return false;
  }
}

/** A version 1 entry line: `"<key>":{…}`, and a comma unless it is the last entry. */
function parsesAsEntry(line: string): boolean {
  try {
    const member = JSON.parse(`{${line.endsWith(',') ? line.slice(0, -1) : line}}`) as Record<string, unknown>;
    const keys = Object.keys(member);
    return keys.length === 1 && isSnapshotEntry(member[keys[0]!]);
  } catch {
    return false;
  }
}
