import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '@esc/core';
import { openKv, resetKv } from './index.js';
import { readJournal } from './journal-reader.js';
import { writeSnapshot } from './snapshot-writer.js';
import { tempStore } from './test-helpers/temp-store.js';
import { openSync, closeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

// Damage is reported with the file (and line) and nothing is written; only a torn last line is forgiven.
describe('corruption and crash recovery', () => {
  let store: ReturnType<typeof tempStore>;
  beforeEach(() => {
    store = tempStore();
  });
  afterEach(() => store.cleanup());

  async function seed(keys: number, compact: boolean) {
    const kv = await openKv(store.path);
    for (let i = 0; i < keys; i++) await kv.set(`key${i}`, `value${i}`, i % 3 === 0 ? { ex: 3600 } : {});
    if (compact) await kv.compact();
    await kv.close();
  }

  function snapshotOfDir() {
    return Object.fromEntries(readdirSync(store.dir).map((f) => [f, readFileSync(`${store.dir}/${f}`, 'latin1')]));
  }

  const lineOf = (buf: Buffer, pos: number) => buf.subarray(0, pos).toString('latin1').split('\n').length;

  /** Opens the store and checks it whole (a point read checks only the lines it reads). */
  async function openAndVerify(path: string): Promise<void> {
    const kv = await openKv(path);
    try {
      await kv.verify();
    } finally {
      await kv.close();
    }
  }

  it('a flipped byte anywhere in the snapshot is a clear error naming it and the damaged line, and nothing is overwritten', async () => {
    await seed(20, true);
    const original = readFileSync(store.path);
    expect(original.toString('utf8')).toMatch(
      /^\{"format":"esc-kv-snapshot","version":3,.*,"bytes":\d+,"c":"[0-9a-f]{8}",\n"entries":\{\n"key0":\{"value":"value0","expiresAt":\d+,"c":"[0-9a-f]{8}"\},\n"key1":/,
    );
    const lines = original.toString('utf8').split('\n');
    for (let pos = 0; pos < original.length; pos += 3) {
      const damaged = Buffer.from(original);
      damaged[pos] = damaged[pos]! ^ 0x04;
      writeFileSync(store.path, damaged);
      const before = snapshotOfDir();
      const line = lineOf(original, pos);
      const err = await openAndVerify(store.path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `flip at ${pos}`).toBeInstanceOf(CorruptionError);
      expect((err as CorruptionError).path).toBe(store.path);
      expect((err as CorruptionError).line, `flip at ${pos}: ${(err as Error).message}`).toBe(line);
      // A point read of the key on a damaged entry line reads that line, so it reports it too.
      const key = /^"(key\d+)":/.exec(lines[line - 1]!)?.[1];
      if (line > 2 && key !== undefined && line < lines.length - 2) {
        const got = await openKv(store.path)
          .then((kv) => kv.get(key).finally(() => kv.close()))
          .catch((e: unknown) => e);
        expect(got, `get ${key}, flip at ${pos}`).toBeInstanceOf(CorruptionError);
        expect((got as CorruptionError).line, `get ${key}, flip at ${pos}`).toBe(line);
      }
      expect(snapshotOfDir()).toEqual(before);
    }
  });

  it('says which line of a snapshot is damaged, and what is wrong with it', async () => {
    await seed(5, true);
    const original = readFileSync(store.path, 'utf8');
    const damage = async (text: string) => {
      writeFileSync(store.path, text);
      const err = (await openAndVerify(store.path).catch((e: unknown) => e)) as CorruptionError;
      expect(readFileSync(store.path, 'utf8')).toBe(text);
      return err.describe();
    };
    expect(await damage(original.replace('"value3"', '"value8"'))).toMatch(
      new RegExp(
        `^${store.path.replace(/[.]/g, '\\.')}:6: snapshot checksum mismatch: line 6 fails its own checksum \\(stored [0-9a-f]{8}, computed [0-9a-f]{8}\\); the file is damaged, refusing to touch it$`,
      ),
    );
    expect(await damage(original.replace(/"crc32":"[0-9a-f]{8}"/, '"crc32":"00000000"'))).toMatch(
      /:9: snapshot checksum mismatch: every other line's own checksum holds, so line 9, the stored whole-file checksum, is what is damaged/,
    );
    expect(await damage(original.slice(0, original.indexOf('"key3"')))).toMatch(
      /:5: snapshot checksum mismatch: the file ends after line 5, cut short/,
    );
    expect(await damage(original.replace('"generation":1', '"generation":7'))).toMatch(
      /:1: snapshot checksum mismatch: line 1 \(the header\) fails its own checksum/,
    );
  });

  it('still reads a version 1 snapshot (no per-line checksums), and locates damage in it as well as it can', async () => {
    const covered =
      '{"format":"esc-kv-snapshot","version":1,"generation":1,"createdAt":"2026-11-22T04:43:30.687Z","keys":2,\n"entries":{\n"a":{"value":"1"},\n"b":{"value":"2","expiresAt":4102444800000}\n},\n';
    const v1 = `${covered}"crc32":"${crc32(covered).toString(16).padStart(8, '0')}"}\n`;
    writeFileSync(store.path, v1);
    const kv = await openKv(store.path);
    expect(await kv.mget(['a', 'b', 'c'])).toEqual(['1', '2', null]);
    expect(await kv.items()).toHaveLength(2);
    await kv.close();
    const damaged = async (text: string) => {
      writeFileSync(store.path, text);
      const err = (await openKv(store.path).catch((e: unknown) => e)) as CorruptionError;
      expect(readFileSync(store.path, 'utf8')).toBe(text);
      return err;
    };
    const unparsable = await damaged(v1.replace('"value":"2"', '"value":2"'));
    expect([unparsable.line, unparsable.message]).toEqual([
      4,
      expect.stringMatching(
        /^snapshot checksum mismatch: line 4 does not parse as an entry \(a version 1 snapshot has no per-line checksums/,
      ),
    ]);
    const parses = await damaged(v1.replace('"value":"2"', '"value":"3"'));
    expect([parses.line, parses.message]).toEqual([
      undefined,
      expect.stringMatching(/every line from 1 to 6 parses, so a character changed somewhere in them/),
    ]);
    // The next compaction writes version 2.
    writeFileSync(store.path, v1);
    const writer = await openKv(store.path);
    await writer.compact();
    await writer.close();
    expect(readFileSync(store.path, 'utf8')).toMatch(/^\{"format":"esc-kv-snapshot","version":3,/);
  });

  it('a flipped byte in the middle of the journal names the file and line; the files stay as they were', async () => {
    await seed(10, false);
    const journal = `${store.path}.journal`;
    const original = readFileSync(journal);
    const lines = original.toString('utf8').split('\n');
    const lineStart = lines.slice(0, 5).join('\n').length + 1; // line 6
    const damaged = Buffer.from(original);
    damaged[lineStart + 30] = damaged[lineStart + 30]! ^ 0x01;
    writeFileSync(journal, damaged);
    const before = snapshotOfDir();
    // A write checks every journal line before it appends: it fails too, and appends nothing.
    const writer = await openKv(store.path);
    await expect(writer.set('more', 'x')).rejects.toThrow(/journal line 6: checksum mismatch/);
    await writer.close();
    const err = (await openAndVerify(store.path).catch((e: unknown) => e)) as CorruptionError;
    expect(err).toBeInstanceOf(CorruptionError);
    expect(err.describe()).toMatch(new RegExp(`^${journal.replace(/[.]/g, '\\.')}:6: `));
    expect(snapshotOfDir()).toEqual(before);
  });

  it('a torn last line is ignored with a warning; the next writer cuts it off and appends cleanly', async () => {
    await seed(3, false);
    const journal = `${store.path}.journal`;
    appendFileSync(journal, '{"c":"12345678","r":{"op":"set","k":"torn","v":"x"'); // a crash mid-write
    const warnings: string[] = [];
    const kv = await openKv(store.path, { onWarning: (m) => warnings.push(m) });
    expect(await kv.get('torn')).toBeNull();
    expect(await kv.get('key2')).toBe('value2');
    expect(warnings.join('\n')).toMatch(/kv\.json\.journal:5: ignoring a torn last journal line/);
    await kv.set('after', 'ok');
    await kv.close();
    const fd = openSync(journal, 'r');
    const chunk = readJournal(fd, journal, 0, () => 0, 'decode');
    closeSync(fd);
    expect(chunk.tornTail).toBeNull();
    expect(chunk.records.map((r) => (r.op === 'set' ? r.k : r.op))).toEqual(['key0', 'key1', 'key2', 'after']);
  });

  it('a complete last line with a bad checksum is damage, not a torn write, and is reported as a checksum mismatch', async () => {
    await seed(3, false);
    const journal = `${store.path}.journal`;
    const text = readFileSync(journal, 'utf8');
    const damaged = text.replace(/"value2"/, '"valuE2"');
    writeFileSync(journal, damaged);
    const warnings: string[] = [];
    const err = (await openKv(store.path, { onWarning: (m) => warnings.push(m) }).catch(
      (e: unknown) => e,
    )) as CorruptionError;
    expect(err).toBeInstanceOf(CorruptionError);
    expect(err.describe()).toMatch(
      new RegExp(
        `^${journal.replace(/[.]/g, '\\.')}:4: journal line 4: checksum mismatch \\(stored [0-9a-f]{8}, computed [0-9a-f]{8}\\) \\(the line is complete, so this is damage, not a torn write\\): the journal is damaged; refusing to touch it$`,
      ),
    );
    expect(err.message).not.toMatch(/not the last line/);
    expect(warnings).toEqual([]);
    expect(readFileSync(journal, 'utf8')).toBe(damaged);
    // The same line without its newline is a torn write: ignored with a warning.
    writeFileSync(journal, damaged.slice(0, -1));
    const kv = await openKv(store.path, { onWarning: (m) => warnings.push(m) });
    expect(await kv.get('key2')).toBeNull();
    expect(await kv.get('key1')).toBe('value1');
    await kv.close();
    expect(warnings.join('\n')).toMatch(/kv\.json\.journal:4: ignoring a torn last journal line/);
  });

  it('a journal line that lost its framing is named as such', async () => {
    await seed(3, false);
    const journal = `${store.path}.journal`;
    writeFileSync(journal, readFileSync(journal, 'utf8').replace('{"c":"', '{"C":"'));
    const err = (await openKv(store.path).catch((e: unknown) => e)) as CorruptionError;
    expect(err.describe()).toMatch(
      /journal:1: journal header \(line 1\): not a journal line \(\{"c":"<crc32>","r":<record>\}\): the journal is damaged/,
    );
  });

  it('a crash between the snapshot rename and the new journal neither replays nor loses anything', async () => {
    const kv = await openKv(store.path);
    await kv.set('a', '1');
    await kv.set('b', '2');
    await kv.del(['a']);
    await kv.close();
    // Simulate compaction that died after step 1: snapshot of generation 1 beside the generation-0 journal.
    writeSnapshot(store.path, 1, [['b', { value: '2', expiresAt: null }]]);
    const reader = await openKv(store.path);
    expect(await reader.items()).toEqual([{ key: 'b', value: '2', expiresAt: null }]);
    await reader.close();
    const writer = await openKv(store.path);
    await writer.set('c', '3'); // must not land in the stale journal, which readers skip
    await writer.close();
    const again = await openKv(store.path);
    expect((await again.items()).map((i) => i.key)).toEqual(['b', 'c']);
    await again.close();
  });

  it('never resets a corrupt store by itself; resetKv moves the damaged files aside', async () => {
    await seed(5, true);
    const damaged = readFileSync(store.path);
    damaged[damaged.length - 40] ^= 0x08;
    writeFileSync(store.path, damaged);
    await expect(openAndVerify(store.path)).rejects.toBeInstanceOf(CorruptionError);
    const moved = await resetKv(store.path);
    expect(moved).toEqual([
      expect.stringMatching(/\.json\.corrupt-/),
      expect.stringMatching(/\.json\.journal\.corrupt-/),
    ]);
    expect(readFileSync(moved.find((p) => !p.includes('.journal'))!)).toEqual(damaged);
    const kv = await openKv(store.path);
    expect(await kv.items()).toEqual([]);
    await kv.set('fresh', '1');
    expect(await kv.get('fresh')).toBe('1');
    await kv.close();
    expect(statSync(store.path).size).toBeGreaterThan(0);
  });

  it('a version 3 snapshot out of key order (every checksum holding) is reported by verify, naming the line', async () => {
    await seed(5, true);
    const lines = readFileSync(store.path, 'utf8').split('\n');
    [lines[3], lines[4]] = [lines[4]!, lines[3]!]; // two middle entries: both keep their commas
    const covered = `${lines.slice(0, -2).join('\n')}\n`;
    writeFileSync(store.path, `${covered}"crc32":"${crc32(covered).toString(16).padStart(8, '0')}"}\n`);
    const err = (await openAndVerify(store.path).catch((e: unknown) => e)) as CorruptionError;
    expect([err.line, err.message]).toEqual([
      5,
      'snapshot line 5 is out of order (keys must be sorted and unique); refusing to touch it',
    ]);
  });

  it('a key named like a header field is found only among the entries', async () => {
    const kv = await openKv(store.path);
    await kv.set('x', '1');
    await kv.compact();
    expect(await kv.get('entries')).toBeNull();
    expect(await kv.get('crc32')).toBeNull();
    await kv.set('entries', 'e');
    await kv.set('crc32', 'c');
    await kv.compact();
    await kv.close();
    const again = await openKv(store.path);
    expect(await again.mget(['entries', 'crc32', 'x'])).toEqual(['e', 'c', '1']);
    await again.close();
  });
});
