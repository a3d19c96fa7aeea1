import { ByteReader } from './byte-buffer.js';
import { Section } from './archive-format.js';
import { ArchiveDamageError, type ArchiveReader } from './archive-reader.js';
import { readSectionTable, sectionBytes } from './section-codec.js';

/** Characters that end a token (line-tokenizer.ts), and those a number column can produce. */
const NOT_IN_WORDS = /[ \t\r\n,;:=()[\]{}"'<>|/0-9-]+/;
/** Sections that hold every character of a line that is not a digit or a minus sign. */
const TEXT_SECTIONS = [Section.Templates, Section.ColumnMeta, Section.Dictionaries, Section.Strings, Section.RawLines];

/**
 * The word of a literal that decides whether a block can hold it: its longest run of characters that are
 * neither delimiters, digits nor minus signs. Such a run lies inside one token of a line, so inside one
 * template, one value's text (a shape, a dictionary entry, a string) or one raw line: if no text section of a
 * block holds it, no line of the block holds the literal, and the block need not be decoded. Number columns
 * hold only digits and signs, so they are never read for the test. '' when the literal has no such run.
 */
function decidingWord(literal: string): string {
  const latin1 = Buffer.from(literal, 'utf8').toString('latin1');
  let best = '';
  for (const run of latin1.split(NOT_IN_WORDS)) if (run.length > best.length) best = run;
  return best;
}

export interface SearchOptions {
  /** Per pattern, the literal every match contains; a pattern without one makes every block a candidate. */
  requiredLiterals: readonly string[];
  ignoreCase: boolean;
  /** A block that cannot be read: reported by the caller; its lines are left out. */
  onDamage(err: ArchiveDamageError): void;
}

/**
 * The lines of one archived input, in chunks of whole lines, for a line searcher. A block that cannot hold a
 * match is not decoded: it stands as as many empty lines as it has line feeds, which keeps line numbers and
 * counts right for a pattern that cannot match an empty line (the caller only asks for pruning then).
 */
export async function* searchChunks(
  reader: ArchiveReader,
  input: number,
  options: SearchOptions,
): AsyncGenerator<Buffer> {
  const words = options.requiredLiterals.map((l) => {
    const word = decidingWord(l);
    return options.ignoreCase ? word.toLowerCase() : word;
  });
  const prune = words.length > 0 && words.every((w) => w.length > 0);
  // A line cut by a block's end, held (in pieces: a line may span many blocks) until the block that ends it:
  // searchers take chunks of whole lines.
  const pending: Buffer[] = [];
  let carried = false;
  for (let i = 0; i < reader.blocks.length; i++) {
    const block = reader.blocks[i]!;
    if (block.input !== input) continue;
    try {
      if (prune && !carried) {
        const sections = readSectionTable(reader.readPayload(i));
        const header = new ByteReader(sectionBytes(sections, Section.Lines));
        const lines = header.varint();
        const flags = header.byte();
        // A line cut by the block's end, or a NUL byte (grep's binary mode), needs the real bytes.
        const cut = (flags & 1) === 1 && block.inputOffset + block.inputLength < reader.description.inputs[input]!.size;
        if (!cut && (flags & 2) === 0 && !blockMayHold(sections, words, options.ignoreCase)) {
          const newlines = lines - (flags & 1);
          if (newlines > 0) yield Buffer.alloc(newlines, 10);
          continue;
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

function blockMayHold(sections: ReturnType<typeof readSectionTable>, words: string[], ignoreCase: boolean): boolean {
  const texts = TEXT_SECTIONS.map((id) => {
    const text = sectionBytes(sections, id).toString('latin1');
    return ignoreCase ? text.toLowerCase() : text;
  });
  return words.some((w) => texts.some((t) => t.includes(w)));
}
