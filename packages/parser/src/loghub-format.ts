import { compileUserPattern, UnsafePatternError } from '@esc/core';
/**
 * Loghub-style format strings, read exactly as the Loghub benchmark tools (logpai/logparser,
 * `generate_logformat_regex`) read them, so a format pasted from there behaves the same:
 *   - `<Name>` is a field and matches lazily (`.*?`);
 *   - the text between fields is a regular-expression fragment (`\[` is a bracket, `(\[<PID>\])?` an optional part);
 *   - a run of spaces in that text matches one or more whitespace characters (`\s+`);
 *   - the whole (trimmed) line must match.
 * Built-in formats may tighten a field's pattern (`\S+` for a field that never holds a space): that keeps the
 * regex linear on hostile lines and is checked against the Loghub ground truth like everything else.
 */

export interface CompiledLoghubFormat {
  /** Field names in the order they appear. */
  fields: string[];
  regex: RegExp;
}

export class FormatSyntaxError extends Error {}

/**
 * Compiles `format` to an anchored regex with one named group per field. Groups are named `f0`, `f1`… (with a
 * prefix unlikely in user fragments) so any field name works, even one that is not a JS identifier.
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export function compileLoghubFormat(format: string, fieldPatterns: Record<string, string> = {}): CompiledLoghubFormat {
  const pieces = format.split(/(<[^<>]+>)/);
  const fields: string[] = [];
  let source = '';
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k]!;
    if (k % 2 === 0) {
      source += piece.replace(/ +/g, '\\s+');
    } else {
      const name = piece.slice(1, -1);
      if (fields.includes(name)) throw new FormatSyntaxError(`field <${name}> appears twice in the format`);
      fields.push(name);
      source += `(?<esc_f${fields.length - 1}>${fieldPatterns[name] ?? '.*?'})`;
    }
  }
  if (fields.length === 0) throw new FormatSyntaxError('the format has no <Field>');
  let regex: RegExp;
  try {
    // dotAll: Python's `.` matches everything but \n, and a line has no \n; JS's would also refuse \r and U+2028.
    regex = compileUserPattern(`^${source}$`, { flags: 's', shown: format });
  } catch (err) {
    if (err instanceof UnsafePatternError) throw new FormatSyntaxError(err.message);
    throw new FormatSyntaxError(`the format is not a valid regular expression: ${(err as Error).message}`);
  }
  return { fields, regex };
}

/** Field names of a `--regex` pattern: its named groups, in order. */
export function namedGroups(regex: RegExp): string[] {
  const names: string[] = [];
  const re = /\(\?<([A-Za-z_$][\w$]*)>/g;
  for (let m = re.exec(regex.source); m; m = re.exec(regex.source)) names.push(m[1]!);
  return names;
}
