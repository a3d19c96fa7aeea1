import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EscError } from '@esc/core';
import { logread } from '../src/index.js';
import { gnu, headerCases, makeEdgeFiles } from '@esc/test-fixtures';
import { captureOutput } from '../src/test-helpers/capture-output.js';

// Differential tests: the logread library against GNU head (and cat for --all), byte for byte.

let edge: ReturnType<typeof makeEdgeFiles>;
beforeAll(() => {
  edge = makeEdgeFiles();
});
afterAll(() => edge.cleanup());

const COUNTS = [0, 1, 2, 3, 5, 10, 57, 58, 1999, 2000, 2001, 100000];

async function ours(files: string[], lines: number | null, headers: 'auto' | 'never' | 'always' = 'auto') {
  const reported: EscError[] = [];
  let status = -1;
  const stdout = await captureOutput(edge.dir, async (out) => {
    status = await logread(files, { lines, headers }, { out, report: (err) => reported.push(err) });
  });
  return { stdout, status, errors: reported.map((e) => e.describe()) };
}

describe('logread matches GNU head byte for byte', () => {
  it('-n N and --all on every edge-case file', async () => {
    const mismatches: string[] = [];
    for (const [name, path] of Object.entries(edge.files)) {
      const counts = name === 'long-line.log' ? [1, 2, 3, 4, 10] : COUNTS;
      for (const n of counts) {
        const got = await ours([path], n);
        if (!got.stdout.equals(gnu('head', ['-n', String(n), path]).stdout)) mismatches.push(`${name} -n ${n}`);
      }
      const all = await ours([path], null);
      if (!all.stdout.equals(gnu('cat', [path]).stdout)) mismatches.push(`${name} --all`);
    }
    expect(mismatches).toEqual([]);
  });

  it('headers for several files, -q, -v, and a missing file reported while the others print', async () => {
    const missing = `${edge.dir}/missing.log`;
    for (const [files, headers, flags] of headerCases(edge.files, missing)) {
      for (const n of [0, 2, 10]) {
        const got = await ours(files, n, headers);
        const expected = gnu('head', [...flags, '-n', String(n), ...files]);
        expect(got.stdout.toString('latin1')).toBe(expected.stdout.toString('latin1'));
        const wantErrors = files.includes(missing) ? [`${missing}: No such file or directory`] : [];
        expect(got.errors).toEqual(wantErrors);
        expect(got.status).toBe(wantErrors.length ? 2 : 0);
      }
    }
  });

  it('a directory is an error naming it, and the other files still print', async () => {
    const a = edge.files['no-final-newline.log']!;
    const got = await ours([edge.dir, a], 5);
    expect(got.errors).toEqual([`${edge.dir}: Is a directory`]);
    expect(got.status).toBe(2);
    expect(got.stdout.toString()).toBe(`==> ${a} <==\n${gnu('head', ['-n', '5', a]).stdout.toString()}`);
  });
});
