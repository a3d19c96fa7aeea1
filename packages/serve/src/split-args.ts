/**
 * Splits a line into arguments as Redis's sdssplitargs does (inline commands, redis-cli's input): blanks
 * separate; "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes; 'single quotes' take \'; a closing
 * quote must be followed by a blank or the end. Returns null for unbalanced quotes (Redis's
 * `Protocol error: unbalanced quotes in request`).
 */
export function splitArgs(line: Buffer): Buffer[] | null {
  const args: Buffer[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return args;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      if (inDouble) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === 0x5c && i + 3 < n && line[i + 1] === 0x78 && isHex(line[i + 2]!) && isHex(line[i + 3]!)) {
          bytes.push(hexValue(line[i + 2]!) * 16 + hexValue(line[i + 3]!));
          i += 3;
        } else if (c === 0x5c && i + 1 < n) {
          i++;
          bytes.push(ESCAPES[line[i]!] ?? line[i]!);
        } else if (c === 0x22) {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else bytes.push(c);
      } else if (inSingle) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === 0x5c && i + 1 < n && line[i + 1] === 0x27) {
          i++;
          bytes.push(0x27);
        } else if (c === 0x27) {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else bytes.push(c);
      } else {
        if (i >= n) break;
        const c = line[i]!;
        if (isSpace(c)) done = true;
        else if (c === 0x22) inDouble = true;
        else if (c === 0x27) inSingle = true;
        else bytes.push(c);
      }
      if (i < n) i++;
    }
    args.push(Buffer.from(bytes));
  }
}

// n r t b a
const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

/** isspace() in the C locale: space, \t \n \v \f \r. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const hexValue = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);
