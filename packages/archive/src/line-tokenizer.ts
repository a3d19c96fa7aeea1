/**
 * Splits a line into its template and its variables, as CLP does: the line is cut into tokens at delimiter
 * characters, and every token that holds a digit is a variable. The template is the line with each variable
 * replaced by VARIABLE_MARK, so template + variables rebuild the line exactly, whatever its bytes (lines are
 * handled as latin1 strings: one character per byte). A line that holds VARIABLE_MARK itself cannot be told
 * apart from a template and is stored raw (tokenizeLine returns null).
 *
 * Why not the Drain miner of @esc/templates: the archive needs a split that is lossless by construction and
 * runs at well over 20 MB/s; a digit-bearing token is what the miner's masks turn into `<*>` on these logs
 * anyway, and a token without digits that still varies (a user name) costs a template more, which the block's
 * template-id column and brotli absorb (docs/archive.md, "Templates").
 */
export const VARIABLE_MARK = '\x11';
/** Followed by one character (0x30 + k): the value of the line's k-th variable again. */
export const REPEAT_MARK = '\x12';
/**
 * Version 2: followed by one character (0x30 + f), a variable inside header field f of the log format, whose
 * column is named by the field (header-fields.ts) rather than by the text before it.
 */
export const FIELD_MARK = '\x13';
const MARK_CODE = 0x11;
const REPEAT_CODE = 0x12;
const FIELD_CODE = 0x13;
// Repeats of shorter values are left alone: a repeat costs a template of its own.
const MIN_REPEATED = 8;
const MAX_REPEAT_TARGET = 200;

/** Characters that end a token (they stay in the template). */
const DELIMITERS = ' \t,;:=()[]{}"\'<>|/';

const CLASS = new Uint8Array(256);
const DELIMITER = 1;
const DIGIT = 2;
for (const ch of DELIMITERS) CLASS[ch.charCodeAt(0)] = DELIMITER;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;

/**
 * The template of the line `text[start, end)`, with its variables pushed onto `vars`; null when the line
 * holds a mark. `text` is a latin1 string (no character above 0xff): a block's, so no string is cut out for
 * the line itself.
 */
export function tokenizeLine(text: string, vars: string[], start = 0, end = text.length): string | null {
  let template = '';
  // Start of the template text not yet copied, and of the current token.
  let copied = start;
  let tokenStart = start;
  let hasDigit = false;
  const n = end;
  for (let i = start; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    const kind = CLASS[c]!;
    if (kind === DELIMITER) {
      if (hasDigit) {
        template += text.slice(copied, tokenStart) + VARIABLE_MARK;
        vars.push(text.slice(tokenStart, i));
        copied = i;
        hasDigit = false;
      }
      tokenStart = i + 1;
    } else if (kind === DIGIT) hasDigit = true;
    else if (c === MARK_CODE || c === REPEAT_CODE || c === FIELD_CODE) return null;
  }
  return copied === start ? text.slice(start, end) : template + text.slice(copied, end);
}

/**
 * A variable whose value an earlier variable of the same line already had (`Deleting block blk_7 file
 * …/subdir3/blk_7`) becomes REPEAT_MARK + its index in the template, and leaves `vars`: the value is stored
 * once. Returns the template unchanged when the line repeats nothing.
 */
export function foldRepeats(template: string, vars: string[]): string {
  if (vars.length < 2) return template;
  let repeats = false;
  for (let i = 1; i < vars.length && !repeats; i++)
    if (vars[i]!.length >= MIN_REPEATED && vars.indexOf(vars[i]!) < i) repeats = true;
  if (!repeats) return template;
  const pieces = template.split(VARIABLE_MARK);
  const kept: string[] = [];
  let out = pieces[0]!;
  for (let i = 0; i < vars.length; i++) {
    const value = vars[i]!;
    const k = value.length >= MIN_REPEATED ? kept.indexOf(value) : -1;
    if (k !== -1 && k < MAX_REPEAT_TARGET) out += REPEAT_MARK + String.fromCharCode(0x30 + k);
    else {
      out += VARIABLE_MARK;
      kept.push(value);
    }
    out += pieces[i + 1]!;
  }
  vars.length = 0;
  vars.push(...kept);
  return out;
}
