import { ByteReader, TruncatedDataError } from './byte-buffer.js';
import { type ColumnReaders, decodeColumn, readStrings } from './column-codec.js';
import { ColumnKeys } from './column-keys.js';
import { unmarkFields } from './header-fields.js';
import { Section } from './archive-format.js';
import { REPEAT_MARK, VARIABLE_MARK } from './line-tokenizer.js';
import { readSectionTable, type SectionEntry, sectionBytes } from './section-codec.js';

/** A block's lines, decoded: each line's template (−1 raw) and the template table, before assembly. */
export interface DecodedBlock {
  lines: number;
  unterminated: boolean;
  /** Each template split at its variables: pieces[0] var pieces[1] var … */
  templates: string[][];
  lineTemplates: Int32Array;
  /** Per template, the column of each of its variables. */
  templateColumns: number[][];
  /** The columns' values, in line order. */
  columns: string[][];
  raw: string[];
  /** Line numbers (in the block) that end with CR LF. */
  crlf: (line: number) => boolean;
}

/** The template texts of a block, as stored (with field marks), without decoding anything else. */
export function readBlockTemplates(sections: Map<number, SectionEntry>): string[] {
  const text = sectionBytes(sections, Section.Templates).toString('latin1');
  const templates = text.split('\n');
  templates.pop();
  return templates;
}

/** `fieldMarks`: the archive is of version 2 (FIELD_MARK in templates). */
export function decodeBlockPayload(payload: Buffer, fieldMarks: boolean): DecodedBlock {
  const sections = readSectionTable(payload);
  const header = new ByteReader(sectionBytes(sections, Section.Lines));
  const lines = header.varint();
  const unterminated = (header.byte() & 1) === 1;
  const templateTexts = readBlockTemplates(sections);
  const keys = new ColumnKeys();
  const templateColumns = templateTexts.map((t) => keys.columnsOf(t, fieldMarks));
  const templates = templateTexts.map((t) => (fieldMarks ? unmarkFields(t) : t).split(VARIABLE_MARK));
  const ids = new ByteReader(sectionBytes(sections, Section.LineTemplates));
  const lineTemplates = new Int32Array(lines);
  const counts = new Array<number>(templates.length).fill(0);
  let rawCount = 0;
  for (let i = 0; i < lines; i++) {
    const t = ids.varint() - 1;
    if (t >= templates.length) throw new TruncatedDataError('template number out of range');
    lineTemplates[i] = t;
    if (t < 0) rawCount++;
    else counts[t]!++;
  }
  const readers: ColumnReaders = {
    meta: new ByteReader(sectionBytes(sections, Section.ColumnMeta)),
    nums: new ByteReader(sectionBytes(sections, Section.Numbers)),
    dicts: new ByteReader(sectionBytes(sections, Section.Dictionaries)),
    strs: new ByteReader(sectionBytes(sections, Section.Strings)),
    strings: [],
  };
  const columnCounts = new Array<number>(keys.count).fill(0);
  templateColumns.forEach((cols, t) => {
    for (const c of cols) columnCounts[c]! += counts[t]!;
  });
  const columns = columnCounts.map((count) => decodeColumn(count, readers));
  const raw = readStrings(rawCount, new ByteReader(sectionBytes(sections, Section.RawLines)));
  const ends = new ByteReader(sectionBytes(sections, Section.LineEnds));
  const crlfLines = new Uint8Array(lines);
  let at = 0;
  let crlf = false;
  while (!ends.done) {
    const run = ends.varint();
    if (at + run > lines) throw new TruncatedDataError('line ends beyond the line count');
    if (crlf) crlfLines.fill(1, at, at + run);
    at += run;
    crlf = !crlf;
  }
  return {
    lines,
    unterminated,
    templates,
    lineTemplates,
    templateColumns,
    columns,
    raw,
    crlf: (line) => crlfLines[line] === 1,
  };
}

const REPEATED = new RegExp(`${REPEAT_MARK}([\\s\\S])`, 'g');

/**
 * Rebuilds the block's `size` bytes straight into one buffer: short strings are copied by a loop (a call into
 * Buffer.write costs more than copying a dozen characters), so no line string is ever built.
 */
export function assembleBlock(block: DecodedBlock, size: number): Buffer {
  const out = assemble(block, size, null);
  if (out.length !== size) throw new TruncatedDataError(`${out.length} bytes decoded, ${size} expected`);
  return out;
}

/**
 * The lines of the block (each with its line end) whose template `keep` marks, and the raw lines, in order;
 * at most `size` bytes (the block's).
 */
export function assembleRows(block: DecodedBlock, size: number, keep: Uint8Array): Buffer {
  return assemble(block, size, keep);
}

function assemble(block: DecodedBlock, size: number, keep: Uint8Array | null): Buffer {
  const { lines, templates, lineTemplates, templateColumns, columns, raw } = block;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  const put = (text: string) => {
    const n = text.length;
    if (pos + n > size) throw new TruncatedDataError('block decodes to more bytes than it covers');
    if (n < 24) for (let k = 0; k < n; k++) out[pos++] = text.charCodeAt(k);
    else pos += out.write(text, pos, 'latin1');
  };
  const cursors = new Array<number>(columns.length).fill(0);
  const repeats = templates.map((pieces) => pieces.some((p) => p.includes(REPEAT_MARK)));
  let rawAt = 0;
  for (let i = 0; i < lines; i++) {
    const t = lineTemplates[i]!;
    if (t < 0) put(raw[rawAt++]!);
    else if (keep !== null && keep[t] === 0) {
      for (const c of templateColumns[t]!) cursors[c]!++;
      continue;
    } else {
      const pieces = templates[t]!;
      const slots = templateColumns[t]!;
      if (repeats[t]) {
        const values = slots.map((c) => columns[c]![cursors[c]!++]!);
        let line = pieces[0]!;
        for (let s = 1; s < pieces.length; s++) line += values[s - 1]! + pieces[s]!;
        put(line.replace(REPEATED, (_, k: string) => values[k.charCodeAt(0) - 0x30] ?? ''));
      } else {
        put(pieces[0]!);
        for (let s = 1; s < pieces.length; s++) {
          const c = slots[s - 1]!;
          put(columns[c]![cursors[c]!++]!);
          put(pieces[s]!);
        }
      }
    }
    if (i < lines - 1 || !block.unterminated) put(block.crlf(i) ? '\r\n' : '\n');
  }
  return out.subarray(0, pos);
}
