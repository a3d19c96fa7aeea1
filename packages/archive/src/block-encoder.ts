import { ByteWriter } from './byte-buffer.js';
import { type ColumnStreams, encodeColumn } from './column-codec.js';
import { ColumnKeys } from './column-keys.js';
import { type FieldLocator, markHeaderFields } from './header-fields.js';
import { Section } from './archive-format.js';
import { foldRepeats, tokenizeLine } from './line-tokenizer.js';
import { type SectionCompression, writeSections } from './section-codec.js';

/** Brotli qualities per kind of section, from `--level`. */
export interface BlockCompression {
  text: SectionCompression;
  numbers: SectionCompression;
  /** The line-template ids. */
  templateIds: SectionCompression;
}

interface TemplateLines {
  index: number;
  /** The template as stored: with field marks when a locator found header fields. */
  text: string;
  /** The column of each variable (see ColumnKeys). */
  columns: number[];
}

export interface EncodedBlock {
  payload: Buffer;
  lines: number;
}

const NEWLINE = 10;

/**
 * Encodes whole lines (a latin1 string: one character per input byte; only its last line may lack a line
 * feed) into a block payload (docs/formats/archive.md, "Block payload").
 */
export function encodeBlock(
  text: string,
  compression: BlockCompression,
  locateFields: FieldLocator | null = null,
): EncodedBlock {
  const templates = new Map<string, TemplateLines>();
  const keys = new ColumnKeys();
  const columns: string[][] = [];
  const templateIds = new ByteWriter(text.length >> 5);
  const raw = new ByteWriter(256);
  const lineEnds = new ByteWriter(16);
  let crlf = false;
  let run = 0;
  let lines = 0;
  const vars: string[] = [];
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    const terminated = end !== -1;
    if (!terminated) end = length;
    let lineEnd = end;
    const isCrlf = terminated && end > start && text.charCodeAt(end - 1) === 13;
    if (isCrlf) lineEnd--;
    if (isCrlf !== crlf) {
      lineEnds.varint(run);
      run = 0;
      crlf = isCrlf;
    }
    run++;
    vars.length = 0;
    const tokenized = tokenizeLine(text, vars, start, lineEnd);
    const template = tokenized === null ? null : foldRepeats(tokenized, vars);
    if (template === null) {
      templateIds.varint(0);
      raw.latin1(text.slice(start, lineEnd));
      raw.byte(NEWLINE);
    } else {
      let entry = templates.get(template);
      if (entry === undefined) {
        // The first line of a template decides where its header fields are (a choice of columns only: any
        // choice decodes, as the marks are in the stored template).
        const fields = locateFields === null ? null : locateFields(text.slice(start, lineEnd));
        const stored = fields === null ? template : markHeaderFields(template, vars, fields);
        entry = { index: templates.size, text: stored, columns: keys.columnsOf(stored, true) };
        while (columns.length < keys.count) columns.push([]);
        templates.set(template, entry);
      }
      for (let s = 0; s < vars.length; s++) columns[entry.columns[s]!]!.push(vars[s]!);
      templateIds.varint(entry.index + 1);
    }
    lines++;
    start = end + 1;
  }
  lineEnds.varint(run);
  const unterminated = length > 0 && text.charCodeAt(length - 1) !== NEWLINE;

  const header = new ByteWriter(16);
  header.varint(lines);
  header.byte((unterminated ? 1 : 0) | (text.includes('\0') ? 2 : 0));
  const templateText = new ByteWriter(4096);
  const streams: ColumnStreams = {
    meta: new ByteWriter(4096),
    nums: new ByteWriter(text.length >> 3),
    dicts: new ByteWriter(4096),
    strs: new ByteWriter(text.length >> 4),
    packed: new ByteWriter(text.length >> 4),
    strings: new Map(),
  };
  for (const { text: template } of templates.values()) {
    templateText.latin1(template);
    templateText.byte(NEWLINE);
  }
  for (const column of columns) encodeColumn(column, streams);
  const { text: textLevel, numbers } = compression;
  const payload = writeSections([
    { id: Section.Lines, data: header.result(), compression: numbers },
    { id: Section.Templates, data: templateText.result(), compression: textLevel },
    { id: Section.LineTemplates, data: templateIds.result(), compression: compression.templateIds },
    { id: Section.LineEnds, data: lineEnds.result(), compression: numbers },
    { id: Section.RawLines, data: raw.result(), compression: textLevel },
    { id: Section.ColumnMeta, data: streams.meta.result(), compression: textLevel },
    { id: Section.Numbers, data: streams.nums.result(), compression: numbers },
    { id: Section.Dictionaries, data: streams.dicts.result(), compression: textLevel },
    { id: Section.Strings, data: streams.strs.result(), compression: textLevel },
    // Packed integers are at their entropy already: brotli would only spend time on them.
    { id: Section.PackedIntegers, data: streams.packed.result(), compression: null },
  ]);
  return { payload, lines };
}
