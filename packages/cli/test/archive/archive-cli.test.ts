import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HDFS_2K, loghubLog, makeEdgeFiles, makeTempDir } from '@esc/test-fixtures';
import { expectSameBytes, runEsc, runEscBytes } from '../run-esc.js';

// End-to-end: the built binary, as a user runs it (`pnpm build` first).
const SYSTEMS = ['Apache', 'BGL', 'HPC', 'Hadoop', 'Linux', 'OpenSSH', 'OpenStack', 'Proxifier', 'Spark', 'Zookeeper'];
const temp = makeTempDir('esc-archive-cli');
const edge = makeEdgeFiles();
afterAll(() => {
  temp.remove();
  edge.cleanup();
});

describe('esc archive create/extract/verify/info', () => {
  it('round-trips every Loghub sample and the edge files, and verify says OK', () => {
    const files = [HDFS_2K, ...SYSTEMS.map(loghubLog), ...Object.values(edge.files)];
    const archive = join(temp.path, 'all.esca');
    const created = runEsc(['archive', 'create', ...files, '-o', archive, '--level', '5']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const extracted = runEscBytes(['archive', 'extract', archive]);
    expect(extracted.status).toBe(0);
    expectSameBytes(extracted.stdout, Buffer.concat(files.map((f) => readFileSync(f))));
    const out = join(temp.path, 'out.log');
    expect(runEsc(['archive', 'extract', archive, '-o', out]).status).toBe(0);
    expectSameBytes(readFileSync(out), extracted.stdout);
    const verified = runEsc(['archive', 'verify', archive]);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toMatch(
      new RegExp(`^${archive}: OK: \\d+ blocks, ${extracted.stdout.length} bytes of ${files.length} inputs\n$`),
    );
    expect(verified.status).toBe(0);
    const info = runEsc(['archive', 'info', archive]);
    expect(info.status).toBe(0);
    expect(info.stdout).toContain('input       HDFS_2k.log (287848 bytes)');
  });

  it.each([
    ['auto', [HDFS_2K, ...SYSTEMS.map(loghubLog)], 'hdfs'],
    ['linux', [loghubLog('Linux')], 'linux'],
    ['<Date> <Time> <Pid> <Level> <Component>: <Content>', [HDFS_2K, ...Object.values(edge.files)], 'custom'],
  ])('with --format %s, keys header fields by field and still round-trips', (format, files, name) => {
    const archive = join(temp.path, 'format.esca');
    const created = runEsc(['archive', 'create', ...files, '-o', archive, '--format', format, '--block-size', '65536']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const extracted = runEscBytes(['archive', 'extract', archive]);
    expect(extracted.status).toBe(0);
    expectSameBytes(extracted.stdout, Buffer.concat(files.map((f) => readFileSync(f))));
    expect(runEsc(['archive', 'info', archive]).stdout).toContain(`format      ${name}, version 3\n`);
    // grep reads the field marks: counts and lines as loggrep's on the originals (named apart: -h).
    for (const args of [
      ['-h', '-c', 'INFO'],
      ['-h', '-n', '-w', '17'],
      ['-h', '-c', '-v', 'blk_'],
    ]) {
      const want = runEsc(['loggrep', ...args, ...files]);
      const got = runEsc(['archive', 'grep', ...args, archive]);
      expect(got.stdout).toBe(want.stdout);
      expect(got.status).toBe(want.status);
    }
  });

  it('without --format names no format (version 3 all the same); an unknown format is a usage error', () => {
    const archive = join(temp.path, 'plain.esca');
    expect(runEsc(['archive', 'create', HDFS_2K, '-o', archive]).status).toBe(0);
    expect(readFileSync(archive)[4]).toBe(3);
    expect(runEsc(['archive', 'info', archive]).stdout).toContain('format      line (columns named by the text');
    const bad = runEsc(['archive', 'create', HDFS_2K, '-o', archive, '--format', 'nosuch']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^esc: unknown format 'nosuch'/);
  });

  it('info --sections says where the bytes go: HDFS block ids packed, the rest under brotli', () => {
    const archive = join(temp.path, 'sections.esca');
    expect(runEsc(['archive', 'create', HDFS_2K, '-o', archive]).status).toBe(0);
    const info = runEsc(['archive', 'info', '--sections', archive]);
    expect(info.status).toBe(0);
    const sections = new Map(
      [...info.stdout.matchAll(/^section {5}(\w+): (\d+) bytes \([\d.]+% of the archive\), (\d+) decoded$/gm)].map(
        (m) => [m[1]!, { stored: Number(m[2]), decoded: Number(m[3]) }],
      ),
    );
    expect([...sections.keys()]).toEqual(expect.arrayContaining(['Templates', 'LineTemplates', 'PackedIntegers']));
    // Packed integers are stored as they are; the sections and their table fill the payloads.
    expect(sections.get('PackedIntegers')!.stored).toBe(sections.get('PackedIntegers')!.decoded);
    const stored = [...sections.values()].reduce((sum, s) => sum + s.stored, 0);
    expect(stored).toBeLessThan(readFileSync(archive).length);
    expect(runEsc(['archive', 'info', archive]).stdout).not.toMatch(/^section/m);
  });

  it('reports a damaged block with its number and offset, and still extracts the others (exit 2)', () => {
    const archive = join(temp.path, 'hdfs.esca');
    expect(runEsc(['archive', 'create', HDFS_2K, '-o', archive]).status).toBe(0);
    const data = readFileSync(archive);
    // The one block starts after the 16-byte file header and the creation JSON; flip a byte in its payload.
    const blockOffset = 16 + data.readUInt32LE(8);
    data[blockOffset + 100] ^= 0x01;
    writeFileSync(archive, data);
    const verified = runEsc(['archive', 'verify', archive]);
    expect(verified.status).toBe(2);
    expect(verified.stderr).toBe(
      `esc: ${archive}: offset ${blockOffset}: block 0 (HDFS_2k.log): payload checksum mismatch\n`,
    );
    expect(verified.stdout).toBe(`${archive}: DAMAGED: 1 of 1 blocks unreadable\n`);
    const extracted = runEscBytes(['archive', 'extract', archive]);
    expect(extracted.status).toBe(2);
    expect(extracted.stdout.length).toBe(0);
  });

  it('rejects a file that is not an archive', () => {
    const res = runEsc(['archive', 'verify', HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`esc: ${HDFS_2K}: offset 0: not an esc archive (bad magic or version)\n`);
  });
});
