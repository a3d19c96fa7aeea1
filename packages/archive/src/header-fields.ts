import { FIELD_MARK, REPEAT_MARK, VARIABLE_MARK } from './line-tokenizer.js';

/**
 * Where a line's header fields lie, by a log format (`create --format`): [start, end) of each field in the
 * format's order, flat ([s0, e0, s1, e1, …]); null when the line does not fit the format. At most MAX_FIELDS.
 */
export type FieldLocator = (line: string) => readonly number[] | null;

/** Field numbers are written as one character, 0x30 + f. */
export const MAX_FIELDS = 64;
const MARKED_FIELD = new RegExp(`${FIELD_MARK}[\\s\\S]`, 'g');

/**
 * `template` (one line's, after foldRepeats; `vars` its kept values) with each variable whose value lies inside
 * header field f marked FIELD_MARK + (0x30 + f) instead of VARIABLE_MARK. The column of such a variable is
 * named by its field (ColumnKeys), so a timestamp or pid is one column whatever text comes before it: the
 * month name, a host, a component. The marks are in the template, so the decoder needs no format.
 */
export function markHeaderFields(template: string, vars: readonly string[], fields: readonly number[]): string {
  let out = '';
  let pos = 0;
  let next = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === VARIABLE_MARK) {
      const length = vars[next++]!.length;
      const f = fieldAt(fields, pos, pos + length);
      out += f === -1 ? VARIABLE_MARK : FIELD_MARK + String.fromCharCode(0x30 + f);
      pos += length;
    } else if (c === REPEAT_MARK) {
      // A repeat: the value of kept variable k again.
      const k = template.charCodeAt(++i) - 0x30;
      out += c + template[i]!;
      pos += vars[k]!.length;
    } else {
      out += c;
      pos++;
    }
  }
  return out;
}

function fieldAt(fields: readonly number[], start: number, end: number): number {
  for (let f = 0; f * 2 < fields.length && f < MAX_FIELDS; f++)
    if (fields[f * 2]! === start && end === fields[f * 2 + 1]!) return f;
  return -1;
}

/** The template with its field marks as plain variable marks: how lines are rebuilt and searched. */
export const unmarkFields = (template: string) =>
  template.includes(FIELD_MARK) ? template.replace(MARKED_FIELD, VARIABLE_MARK) : template;
