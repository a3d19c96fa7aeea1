import { ByteReader, TruncatedDataError } from './byte-buffer.js';
import { type ColumnReaders, decodeColumn, readStrings, skipColumn } from './column-codec.js';
import { type ColumnValues, copyAll } from './column-values.js';
import { ColumnKeys } from './column-keys.js';
import { unmarkFields } from './header-fields.js';
import { Section } from './archive-format.js';
import { REPEAT_MARK, VARIABLE_MARK } from './line-tokenizer.js';
import { readSectionTable, type SectionEntry, sectionBytes } from './section-codec.js';

/** A block's lines, decoded: each line's template (−1 raw) and the template table, before assembly. */
export interface DecodedBlock {
  lines: number;
  unterminated: boolean;
  /** Each template as a program (templateProgram). */
  templates: TemplatePart[][];
  lineTemplates: Int32Array;
  /** Per template, the column of each of its variables. */
  templateColumns: number[][];
  /** The columns' values, in line order. */
  columns: ColumnValues[];
  raw: string[];
  /** 1 for the lines (numbered in the block) that end with CR LF. */
  crlf: Uint8Array;
}

/** A column no kept line uses: never written. */
const SKIPPED: ColumnValues = {
  write() {
    throw new TruncatedDataError('a skipped column was read');
  },
  text: () => '',
};

/** Text to copy, the template's variable s (s ≥ 0), or a repeat of its variable k (−k − 1). */
type TemplatePart = Buffer | number;

/** A template (with plain variable marks) cut into its texts, variables and repeats, in order. */
function templateProgram(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = 0;
  let slot = 0;
  const flush = (end: number) => {
    if (end > text) parts.push(Buffer.from(template.slice(text, end), 'latin1'));
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === VARIABLE_MARK) {
      flush(i);
      parts.push(slot++);
      text = i + 1;
    } else if (c === REPEAT_MARK && i + 1 < template.length) {
      flush(i);
      parts.push(-(template.charCodeAt(i + 1) - 0x30) - 1);
      text = i + 2;
      i++;
    }
  }
  flush(template.length);
  return parts;
}

/** The template texts of a block, as stored (with field marks), without decoding anything else. */
export function readBlockTemplates(sections: Map<number, SectionEntry>): string[] {
  const text = sectionBytes(sections, Section.Templates).toString('latin1');
  const templates = text.split('\n');
  templates.pop();
  return templates;
}

/**
 * `fieldMarks`: the archive is of version 2 (FIELD_MARK in templates). With `keep` (per template), only the
 * columns of the kept templates are decoded; the others are stepped over (assembleRows with the same `keep`).
 */
export function decodeBlockPayload(payload: Buffer, fieldMarks: boolean, keep: Uint8Array | null = null): DecodedBlock {
  const sections = readSectionTable(payload);
  const header = new ByteReader(sectionBytes(sections, Section.Lines));
  const lines = header.varint();
  const unterminated = (header.byte() & 1) === 1;
  const templateTexts = readBlockTemplates(sections);
  const keys = new ColumnKeys();
  const templateColumns = templateTexts.map((t) => keys.columnsOf(t, fieldMarks));
  const templates = templateTexts.map((t) => templateProgram(fieldMarks ? unmarkFields(t) : t));
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
    packed: new ByteReader(sectionBytes(sections, Section.PackedIntegers)),
    strStarts: [],
    strEnds: [],
    referenced: [],
  };
  const columnCounts = new Array<number>(keys.count).fill(0);
  templateColumns.forEach((cols, t) => {
    for (const c of cols) columnCounts[c]! += counts[t]!;
  });
  let wanted: Uint8Array | null = null;
  if (keep !== null) {
    wanted = new Uint8Array(keys.count);
    templateColumns.forEach((cols, t) => {
      if (keep[t] === 1) for (const c of cols) wanted![c] = 1;
    });
  }
  const columns = columnCounts.map((count, c) => {
    if (wanted === null || wanted[c] === 1) return decodeColumn(count, readers);
    skipColumn(count, readers);
    return SKIPPED;
  });
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
    crlf: crlfLines,
  };
}

/**
 * Rebuilds the block's `size` bytes straight into one buffer: texts are copied from the templates' and
 * columns' bytes and numbers written as digits, so no string is built per line or per value.
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
  const { lines, templates, lineTemplates, templateColumns, columns, raw, crlf } = block;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  const cursors = new Int32Array(columns.length);
  // The value number of each variable of the current line, for its repeats.
  const taken = new Int32Array(Math.max(1, ...templateColumns.map((c) => c.length)));
  let rawAt = 0;
  const last = block.unterminated ? lines - 1 : lines;
  for (let i = 0; i < lines; i++) {
    const t = lineTemplates[i]!;
    if (t < 0) {
      const line = raw[rawAt++]!;
      if (pos + line.length > size) throw new TruncatedDataError('block decodes to more bytes than it covers');
      pos += out.write(line, pos, 'latin1');
    } else {
      const slots = templateColumns[t]!;
      if (keep !== null && keep[t] === 0) {
        for (let s = 0; s < slots.length; s++) cursors[slots[s]!]!++;
        continue;
      }
      const parts = templates[t]!;
      for (let k = 0; k < parts.length; k++) {
        const part = parts[k]!;
        if (typeof part !== 'number') pos = copyAll(part, out, pos);
        else if (part >= 0) {
          const c = slots[part]!;
          const value = cursors[c]!++;
          taken[part] = value;
          pos = columns[c]!.write(value, out, pos);
        } else if (-part - 1 < slots.length) pos = columns[slots[-part - 1]!]!.write(taken[-part - 1]!, out, pos);
      }
    }
    if (i < last) {
      if (crlf[i] === 1) out[pos++] = 13;
      out[pos++] = 10;
    }
    if (pos > size) throw new TruncatedDataError('block decodes to more bytes than it covers');
  }
  return out.subarray(0, pos);
}
