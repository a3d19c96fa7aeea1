/**
 * The SGR sequences GNU grep writes with --color, taken from GREP_COLORS as grep reads it
 * (`ms=01;31:mc=01;31:fn=35:ln=32:se=36`, `mt=` sets both match colours, `ne` drops the `\33[K`
 * erase-to-end-of-line). Output is byte-identical to grep's, so scripts and tests that compare against
 * grep keep working; chalk's sequences differ (`\33[39m` resets, no `\33[K`). `sl` and `cx` (whole-line
 * colours) are not supported: they are off by default and rarely set.
 */
export interface GrepColors {
  /** Wraps a match in a selected line, a match in a context line, a file name, a line number, a separator. */
  selectedMatch: Paint;
  contextMatch: Paint;
  fileName: Paint;
  lineNumber: Paint;
  separator: Paint;
}

/** Start and end sequences; both empty when that element is not coloured. */
export interface Paint {
  start: string;
  end: string;
}

export function parseGrepColors(spec: string | undefined): GrepColors {
  const caps: Record<string, string> = { ms: '01;31', mc: '01;31', fn: '35', ln: '32', se: '36' };
  let erase = '\x1b[K';
  for (const item of (spec ?? '').split(':')) {
    const [name, value] = item.split('=') as [string, string | undefined];
    if (name === 'ne' && value === undefined) erase = '';
    else if (name === 'mt' && value !== undefined) caps.ms = caps.mc = value;
    else if (value !== undefined && name in caps && /^[0-9;]*$/.test(value)) caps[name] = value;
  }
  const paint = (sgr: string): Paint =>
    sgr === '' ? { start: '', end: '' } : { start: `\x1b[${sgr}m${erase}`, end: `\x1b[m${erase}` };
  return {
    selectedMatch: paint(caps.ms!),
    contextMatch: paint(caps.mc!),
    fileName: paint(caps.fn!),
    lineNumber: paint(caps.ln!),
    separator: paint(caps.se!),
  };
}
