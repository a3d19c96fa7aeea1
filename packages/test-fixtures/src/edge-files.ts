import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HDFS_2K, loghubLog } from './loghub.js';
import { makeTempDir } from './temp-dir.js';

/**
 * The inputs head/tail differ on in practice, written to a fresh directory: the Loghub HDFS sample (CRLF),
 * the same sample without its final newline, the Apache and OpenSSH Loghub samples (no final newline), an empty file, a file of only newlines, a 16+ MiB line,
 * invalid UTF-8 with NUL bytes, and small files with and without a final newline.
 */
export function makeEdgeFiles(): { dir: string; files: Record<string, string>; cleanup(): void } {
  const { path: dir, remove } = makeTempDir('esc-logtail');
  const hdfs = readFileSync(HDFS_2K);
  const contents: Record<string, Buffer> = {
    'loghub-no-final-newline.log': hdfs.subarray(0, hdfs.length - 2),
    'empty.log': Buffer.alloc(0),
    'only-newlines.log': Buffer.from('\n'.repeat(57)),
    'no-final-newline.log': Buffer.from('alpha\nbeta\r\ngamma\n\ndelta'),
    'one-char.log': Buffer.from('x'),
    'one-newline.log': Buffer.from('\n'),
    'invalid-utf8.log': Buffer.concat([
      Buffer.from('ok line\n'),
      Buffer.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x00, 0x0a, 0xe2, 0x82, 0x0a, 0x80, 0x80]),
      Buffer.from('\r\nlast \xe9 latin1 line\n', 'latin1'),
    ]),
    'long-line.log': Buffer.concat([
      Buffer.from('first\nsecond\n'),
      Buffer.alloc(16 * 1024 * 1024 + 123, 'y'),
      Buffer.from('\nafter 1\nafter 2'),
    ]),
  };
  // Real Loghub samples without a final newline, shared with the loggrep tests (licence note beside them).
  const files: Record<string, string> = {
    'HDFS_2k.log': HDFS_2K,
    'Apache_2k.log': loghubLog('Apache'),
    'OpenSSH_2k.log': loghubLog('OpenSSH'),
  };
  for (const [name, data] of Object.entries(contents)) {
    const path = join(dir, name);
    writeFileSync(path, data);
    files[name] = path;
  }
  return { dir, files, cleanup: remove };
}

/** Loghub samples copied into the working directory of the grep differential tests. */
const GREP_SYSTEMS = ['HDFS', 'Apache', 'Linux', 'OpenSSH', 'Proxifier'];

/**
 * A fresh directory holding the Loghub samples (HDFS with CRLF, Proxifier with LF, others without a final
 * newline) and the edge cases grep implementations get wrong: LF and CRLF, no final newline, an empty file,
 * a 16+ MiB line, invalid UTF-8, NUL bytes early and late. Tests run with it as the working directory so
 * file names print the same for grep and esc.
 */
export function makeGrepFixtures(): { dir: string; cleanup(): void } {
  const { path: dir, remove } = makeTempDir('esc-loggrep');
  for (const system of GREP_SYSTEMS) copyFileSync(loghubLog(system), join(dir, `${system}_2k.log`));
  const lines = Array.from(
    { length: 300 },
    (_, i) => `line ${i} ${i % 7 === 0 ? 'ERROR disk full' : i % 3 === 0 ? 'WARN slow' : 'INFO ok'} id=${i * 37}`,
  );
  const files: Record<string, Buffer> = {
    'lf.log': Buffer.from(`${lines.join('\n')}\n`),
    'crlf.log': Buffer.from(`${lines.join('\r\n')}\r\n`),
    'no-final-newline.log': Buffer.from('alpha ERROR\nbeta\r\ngamma ERROR\n\ndelta ERROR'),
    'empty.log': Buffer.alloc(0),
    'blank-lines.log': Buffer.from('\n\nx\n\n'),
    'invalid-utf8.log': Buffer.concat([
      Buffer.from('ok ERROR line\n'),
      Buffer.from([0xff, 0xfe, 0x45, 0x52, 0x52, 0x4f, 0x52, 0x0a, 0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0a, 0x80, 0x80]),
      Buffer.from('\r\nlast \xe9 latin1 ERROR line\n', 'latin1'),
      Buffer.from('caf\u00e9 ERROR utf8\n', 'utf8'),
    ]),
    'long-line.log': Buffer.concat([
      Buffer.from('first ERROR\nsecond\n'),
      Buffer.alloc(16 * 1024 * 1024 + 123, 'y'),
      Buffer.from('ERROR at the end of a long line\nafter 1\nafter 2 ERROR'),
    ]),
    'binary-early.bin': Buffer.from('head ERROR\nnul \0 here\nERROR again\n'),
    'binary-nomatch.bin': Buffer.from('nothing\0here\n'),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return { dir, cleanup: remove };
}

/** Header cases for head and tail: several files, a missing one among them, -q, -v, the same file twice. */
export function headerCases(
  files: Record<string, string>,
  missing: string,
): [string[], 'auto' | 'never' | 'always', string[]][] {
  const a = files['no-final-newline.log']!;
  const b = files['HDFS_2k.log']!;
  const e = files['empty.log']!;
  return [
    [[a, b, e], 'auto', []],
    [[e, a], 'auto', []],
    [[a, missing, b], 'auto', []],
    [[missing, a, b], 'auto', []],
    [[a, b], 'never', ['-q']],
    [[a], 'always', ['-v']],
    [[a, a], 'auto', []],
  ];
}
