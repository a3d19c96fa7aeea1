/**
 * The anchor for the parser benchmark: the least a streaming HDFS parser must do, and nothing more. Read the
 * file in 1 MiB chunks, split lines, run the HDFS regex on each, count levels. `esc parse --stats` is
 * measured against this in the same run (docs/benchmarks.md).
 *
 *   node packages/bench/dist/baselines/hdfs-regex-baseline.js FILE
 */
import { closeSync, openSync, readSync } from 'node:fs';

const HDFS = /^(\d{6}) (\d{6}) (\d+) ([A-Z]+) (\S+?): (.*)$/;

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: hdfs-regex-baseline FILE\n');
  process.exit(2);
}
const fd = openSync(path, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
const levels = new Map<string, number>();
let carry = '';
let lines = 0;
let malformed = 0;
const countLine = (line: string) => {
  lines++;
  const m = HDFS.exec(line);
  if (m === null) malformed++;
  else levels.set(m[4]!, (levels.get(m[4]!) ?? 0) + 1);
};
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  const text = carry + buf.toString('utf8', 0, n);
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    countLine(text.slice(start, nl));
    start = nl + 1;
  }
  carry = text.slice(start);
}
if (carry) countLine(carry);
closeSync(fd);
process.stdout.write(`${JSON.stringify({ lines, malformed, levels: Object.fromEntries(levels) })}\n`);
