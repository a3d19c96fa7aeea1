import { ByteReader, TruncatedDataError } from './byte-buffer.js';
import { Section } from './archive-format.js';
import { ArchiveDamageError, type ArchiveReader } from './archive-reader.js';
import { assembleRows, readBlockTemplates } from './block-decoder.js';
import { unmarkFields } from './header-fields.js';
import { readSectionTable, type SectionEntry, sectionBytes } from './section-codec.js';
import { decidingWord, type LineJudge, TemplateVerdicts, Verdict } from './template-verdicts.js';

/** Sections that hold the text of the values: constants and shapes, dictionary entries, strings. */
const VALUE_SECTIONS = [Section.ColumnMeta, Section.Dictionaries, Section.Strings];

export interface SearchOptions {
  /** Per pattern, the literal every match contains ('' when none is known). */
  requiredLiterals: readonly string[];
  ignoreCase: boolean;
  /** The search's matcher, for the verdicts of templates. */
  judge: LineJudge;
  /**
   * `tally` when the output needs only each line's verdict, not its text or place (grep -c, -l, -q): the lines
   * a template decides are yielded as tallies, unbuilt, and the others as text, in no particular order.
   * `prune`: every line in order, but a block none of whose lines can match stands as empty lines (asked for
   * when no -v or context shows the other lines; done when an empty line does not match). `lines`: every line.
   */
  mode: 'tally' | 'prune' | 'lines';
  /** A block that cannot be read: reported by the caller; its lines are left out. */
  onDamage(err: ArchiveDamageError): void;
}

/** Lines judged from their templates: `matching` lines match, `unmatched` lines do not. */
export interface LineTally {
  matching: number;
  unmatched: number;
}

/** A block's sections, opened lazily, with what its header says. */
interface OpenBlock {
  sections: Map<number, SectionEntry>;
  lines: number;
  /** Its line feeds: lines, less an input's last line without one. */
  newlines: number;
  /** A line cut by the block's end, or a NUL byte (grep's binary mode): the block is searched as bytes. */
  whole: boolean;
  /** The archive's templates may hold field marks (version 2). */
  fieldMarks: boolean;
}

/**
 * The lines of one archived input, for a line searcher: in chunks of whole lines, or (with `judge`) as
 * tallies and chunks. A block whose templates and values cannot hold a pattern's deciding word is not
 * decoded; with `judge`, neither is one whose every template decides its lines.
 */
export async function* searchChunks(
  reader: ArchiveReader,
  input: number,
  options: SearchOptions,
): AsyncGenerator<Buffer | LineTally> {
  const words = options.requiredLiterals.map((l) => decidingWord(l, options.ignoreCase));
  const tally = options.mode === 'tally';
  const prune = tally || (options.mode === 'prune' && !options.judge.matchesLine(''));
  const verdicts = new TemplateVerdicts(options.judge, words, options.ignoreCase);
  const inputSize = reader.description.inputs[input]!.size;
  // A line cut by a block's end, held (in pieces: a line may span many blocks) until the block that ends it:
  // searchers take chunks of whole lines.
  const pending: Buffer[] = [];
  let carried = false;
  for (let i = 0; i < reader.blocks.length; i++) {
    const block = reader.blocks[i]!;
    if (block.input !== input) continue;
    try {
      if (prune && !carried) {
        const open = openBlock(reader, i, block.inputOffset + block.inputLength < inputSize);
        if (!open.whole) {
          const found = tally
            ? judgeBlock(reader, i, open, verdicts, options.ignoreCase)
            : mayHold(open, verdicts, options.ignoreCase)
              ? null
              : [Buffer.alloc(open.newlines, 10)];
          if (found !== null) {
            yield* found;
            continue;
          }
        }
      }
      const bytes = reader.blockBytes(i);
      const end = bytes.lastIndexOf(10) + 1;
      if (end > 0) {
        yield pending.length > 0
          ? Buffer.concat([...pending.splice(0), bytes.subarray(0, end)])
          : bytes.subarray(0, end);
      }
      if (end < bytes.length) pending.push(bytes.subarray(end));
      carried = pending.length > 0;
    } catch (err) {
      if (!(err instanceof ArchiveDamageError)) throw err;
      options.onDamage(err);
      carried = true;
    }
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

function openBlock(reader: ArchiveReader, number: number, beforeEnd: boolean): OpenBlock {
  const payload = reader.readPayload(number);
  return reader.checked(number, () => {
    const sections = readSectionTable(payload);
    const header = new ByteReader(sectionBytes(sections, Section.Lines));
    const lines = header.varint();
    const flags = header.byte();
    const cut = (flags & 1) === 1 && beforeEnd;
    return {
      sections,
      lines,
      newlines: lines - (flags & 1),
      whole: cut || (flags & 2) !== 0,
      fieldMarks: reader.version >= 2,
    };
  });
}

/** The block's templates with plain variable marks (field marks are variables only from version 2). */
const templateTexts = (open: OpenBlock) => {
  const texts = readBlockTemplates(open.sections);
  return open.fieldMarks ? texts.map(unmarkFields) : texts;
};

/** Whether the block's values (not its number columns) may hold a deciding word. */
function valuesHoldWord(sections: Map<number, SectionEntry>, verdicts: TemplateVerdicts, ignoreCase: boolean) {
  return VALUE_SECTIONS.some((id) => {
    const text = sectionBytes(sections, id).toString('latin1');
    return verdicts.holdsWord(ignoreCase ? text.toLowerCase() : text);
  });
}

/** For a search that yields lines in order: can any line of the block match? */
function mayHold(open: OpenBlock, verdicts: TemplateVerdicts, ignoreCase: boolean): boolean {
  const raw = sectionBytes(open.sections, Section.RawLines).toString('latin1');
  if (raw.length > 0 && verdicts.holdsWord(ignoreCase ? raw.toLowerCase() : raw)) return true;
  const crlf = hasCrlf(open.sections);
  const codes = templateTexts(open).map((t) => verdicts.of(t, crlf));
  if (codes.some((c) => c === Verdict.Always || c === Verdict.Maybe)) return true;
  return codes.includes(Verdict.NoWord) && valuesHoldWord(open.sections, verdicts, ignoreCase);
}

/**
 * The block's lines as a tally of those their template decides, and a chunk of the others (raw lines and
 * lines of templates whose verdict depends on their values), rebuilt from a full decode.
 */
function judgeBlock(
  reader: ArchiveReader,
  number: number,
  open: OpenBlock,
  verdicts: TemplateVerdicts,
  ignoreCase: boolean,
): (Buffer | LineTally)[] {
  return reader.checked(number, () => {
    const { sections } = open;
    const crlf = hasCrlf(sections);
    const templates = templateTexts(open);
    const codes = templates.map((t) => verdicts.of(t, crlf));
    if (codes.includes(Verdict.NoWord)) {
      const settled = valuesHoldWord(sections, verdicts, ignoreCase) ? Verdict.Maybe : Verdict.Never;
      for (let t = 0; t < codes.length; t++) if (codes[t] === Verdict.NoWord) codes[t] = settled;
    }
    const counts = countLines(sectionBytes(sections, Section.LineTemplates), templates.length);
    if (counts.reduce((a, b) => a + b, 0) !== open.lines) throw new TruncatedDataError('line count disagrees');
    const tally: LineTally = { matching: 0, unmatched: 0 };
    let rebuild = counts[0]! > 0;
    for (let t = 0; t < templates.length; t++) {
      const n = counts[t + 1]!;
      if (codes[t] === Verdict.Always) tally.matching += n;
      else if (codes[t] === Verdict.Never) tally.unmatched += n;
      else if (n > 0) rebuild = true;
    }
    const out: (Buffer | LineTally)[] = [tally];
    if (rebuild) {
      const keep = Uint8Array.from(codes, (c) => (c === Verdict.Maybe ? 1 : 0));
      out.push(assembleRows(reader.decodeBlock(number, keep), reader.blocks[number]!.inputLength, keep));
    }
    return out;
  });
}

/** Per template number (0 raw, t + 1 template t), the lines that have it: the line templates section counted. */
function countLines(ids: Buffer, templates: number): Float64Array {
  const counts = new Float64Array(templates + 1);
  const n = ids.length;
  for (let p = 0; p < n; ) {
    let id = ids[p++]!;
    if (id >= 0x80) {
      // Rare: more than 127 templates in a block.
      const reader = new ByteReader(ids);
      reader.pos = p - 1;
      id = reader.varint();
      p = reader.pos;
    }
    if (id > templates) throw new TruncatedDataError('template number out of range');
    counts[id]!++;
  }
  return counts;
}

/** Does any line of the block end with CR LF? (Runs alternate LF and CR LF, starting with LF.) */
function hasCrlf(sections: Map<number, SectionEntry>): boolean {
  const runs = new ByteReader(sectionBytes(sections, Section.LineEnds));
  for (let k = 0; !runs.done; k++) if (runs.varint() > 0 && k % 2 === 1) return true;
  return false;
}
