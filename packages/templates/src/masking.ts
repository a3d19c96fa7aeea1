/**
 * Masking: before mining, the parts of a line that are variables by their shape alone (numbers, addresses,
 * ids) become `<*>`, so the miner compares lines by their words. One default list serves every log: each mask
 * is a shape that is a variable in any log, never a dataset's field.
 */

import { compileUserPattern } from '@esc/core';

/** The wildcard that stands for a variable in a template. */
export const WILDCARD = '<*>';

export interface MaskRule {
  /** For documentation and error messages. */
  name: string;
  /** A JavaScript regular expression source (no flags; masks are case-sensitive, `(?i)` is not supported). */
  pattern: string;
  /**
   * Optional: a pattern every match starts with (a cheap lookahead). When every mask has one, the scan tests
   * only these at each position and skips the rest of the line fast (2 to 3 times faster on HDFS lines).
   */
  lead?: string | undefined;
}

// Where the default masks can start: a digit or minus, or a hex letter followed by hex digits (ids, UUIDs).
const DIGIT_LEAD = '[-\\d]';
const HEX_LEAD = '[a-fA-F][0-9a-fA-F]{7}';

// Order matters where two masks match at the same place: the longer shape first (a UUID before a number).
// Digit runs glued to letters (`ssh2`, `utf8`, `e820`) stay: they are words, not values; a run that follows
// `_`, `-`, `.`, `/`, `:` or `=` is a value (`blk_<*>`, `node-<*>`, `uid=<*>`, `<*>:<*>`).
export const DEFAULT_MASKS: readonly MaskRule[] = [
  // A date written out inside a message (`Sun Jul 10 03:55:15 2005`) is one value, weekday and month names
  // included.
  {
    name: 'date',
    pattern:
      '(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\\d{1,2} \\d{2}:\\d{2}:\\d{2}(?: \\d{4})?(?![\\w])',
    lead: '[A-Z][a-z]{2} ',
  },
  { name: 'uuid', pattern: '[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}', lead: `${DIGIT_LEAD}|${HEX_LEAD}` },
  { name: 'ipv4', pattern: '(?<![\\w.])\\d{1,3}(?:\\.\\d{1,3}){3}(?![\\w])', lead: DIGIT_LEAD },
  { name: 'hex', pattern: '(?<![\\w])0[xX][0-9a-fA-F]+(?![\\w])', lead: DIGIT_LEAD },
  // A size or a duration with its unit (`1.07 KB`, `<1 sec`, `12ms`) is one value however it is spelt.
  {
    name: 'quantity',
    pattern: '(?<![\\w.])\\d+(?:\\.\\d+)? ?(?:[KMGT]i?B|kB|B|ms|sec)(?![\\w])',
    lead: DIGIT_LEAD,
  },
  {
    name: 'hex-id',
    pattern: '(?<![\\w])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\\d)[0-9a-f]{8,}(?![\\w])',
    lead: `${DIGIT_LEAD}|${HEX_LEAD}`,
  },
  // An id's numeric tail is one value (`attempt_1445_0020_m_000001_0` gives `attempt_<*>`).
  { name: 'id-tail', pattern: '(?<![A-Za-z0-9])\\d+(?:_[A-Za-z0-9]+)+(?![\\w])', lead: DIGIT_LEAD },
  // A path of two or more segments is one value: its parts vary together.
  { name: 'path', pattern: '(?<![\\w/])/[\\w.@+-]+(?:/[\\w.@:+-]*)+', lead: '/' },
  { name: 'number', pattern: '(?<![A-Za-z0-9])-?\\d+(?![A-Za-z0-9])', lead: DIGIT_LEAD },
];

/**
 * Applies a list of masks over a line. The default masks run as one alternation in one scan (they are ours, and
 * their lookarounds are known to be cheap). A user's masks are user patterns: they run first, as their own
 * alternation compiled by core's compileUserPattern, so no mask file can make mining hang (docs/core.md).
 */
export class Masker {
  private readonly regex: RegExp | undefined;
  private readonly userRegex: RegExp | undefined;

  constructor(readonly rules: readonly MaskRule[] = DEFAULT_MASKS) {
    const isDefault = (r: MaskRule) => DEFAULT_MASKS.some((d) => d.name === r.name && d.pattern === r.pattern);
    const user = rules.filter((r) => !isDefault(r));
    const ours = rules.filter(isDefault);
    if (user.length > 0) {
      const source = user.map((r) => `(?:${r.pattern})`).join('|');
      this.userRegex = compileUserPattern(source, { flags: 'g' });
    }
    if (ours.length > 0) {
      // One alternation, one scan: at each position the first rule in the list that matches wins.
      const body = ours.map((r) => `(?:${r.pattern})`).join('|');
      const guarded = ours.every((r) => r.lead !== undefined);
      const leads = guarded ? [...new Set(ours.map((r) => `(?:${r.lead})`))].join('|') : '';
      this.regex = new RegExp(guarded ? `(?=${leads})(?:${body})` : body, 'g');
    }
  }

  /** The line with every masked part replaced by the wildcard. */
  mask(line: string): string {
    let out = line;
    if (this.userRegex !== undefined) out = out.replace(this.userRegex, WILDCARD);
    if (this.regex !== undefined) out = out.replace(this.regex, WILDCARD);
    return out;
  }

  /** The masked parts of `text`, in order (the values the wildcards of `mask(text)` stand for). */
  maskedParts(text: string): string[] {
    if (this.userRegex === undefined) return this.regex === undefined ? [] : (text.match(this.regex) ?? []);
    // The user pass first; then the default pass over its output, whose wildcards are merged back in order.
    const userParts: { at: number; value: string }[] = [];
    let shift = 0;
    // matchAll, not replace's callback: a user's pattern may have groups, which shift the callback's arguments.
    let middle = '';
    let last = 0;
    for (const m of text.matchAll(this.userRegex)) {
      middle += text.slice(last, m.index) + WILDCARD;
      userParts.push({ at: m.index + shift, value: m[0] });
      shift += WILDCARD.length - m[0].length;
      last = m.index + m[0].length;
    }
    middle += text.slice(last);
    if (this.regex === undefined) return userParts.map((p) => p.value);
    const parts: string[] = [];
    let next = 0;
    for (const m of middle.matchAll(this.regex)) {
      while (next < userParts.length && userParts[next]!.at < m.index) parts.push(userParts[next++]!.value);
      parts.push(m[0]);
    }
    while (next < userParts.length) parts.push(userParts[next++]!.value);
    return parts;
  }
}
