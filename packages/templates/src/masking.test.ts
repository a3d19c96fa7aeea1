import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loghubLog } from '@esc/test-fixtures';
import { DEFAULT_MASKS, Masker } from './masking.js';

describe('default masks', () => {
  const masker = new Masker();
  it.each([
    ['blk_-1608999687919862906 of size 91178', 'blk_<*> of size <*>'],
    ['from /10.250.19.102:54106 to /10.250.19.102', 'from /<*>:<*> to /<*>'],
    ['instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d]', 'instance: <*>]'],
    ['CE sym 2, at 0x0b85eee0, mask 0x05', 'CE sym <*>, at <*>, mask <*>'],
    ['0 bytes (1.07 KB) sent, lifetime <1 sec', '<*> bytes (<*>) sent, lifetime <<*>'],
    ['image 7f3a9c0d2e1b at 2015-10-18 18:01:47', 'image <*> at <*>-<*>-<*> <*>:<*>:<*>'],
    // Digits that belong to a word stay: they are names, not values.
    ['ssh2 on alt0 via e820 utf8', 'ssh2 on alt0 via e820 utf8'],
    ['Took 0.57 seconds', 'Took <*>.<*> seconds'],
  ])('%s', (line, masked) => {
    expect(masker.mask(line)).toBe(masked);
  });

  it('maskedParts gives the values in order', () => {
    expect(masker.maskedParts('from /10.250.19.102:54106 size 7')).toEqual(['10.250.19.102', '54106', '7']);
  });

  it('the lead guard changes nothing: the same output as the plain alternation on every Loghub sample line', () => {
    const plain = new Masker(DEFAULT_MASKS.map(({ name, pattern }) => ({ name, pattern })));
    let lines = 0;
    for (const system of ['HDFS', 'BGL', 'OpenStack', 'Proxifier', 'Linux', 'Hadoop']) {
      for (const line of readFileSync(loghubLog(system), 'utf8').split('\n')) {
        expect(masker.mask(line)).toBe(plain.mask(line));
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(12_000);
  });
});

describe("a user's masks", () => {
  const user = (pattern: string) => new Masker([{ name: 'user', pattern }, ...DEFAULT_MASKS]);

  it('run before the default masks, and the parts come back in line order', () => {
    const m = user('blk_-?\\d+');
    const line = 'Received block blk_-42 of size 67 from /10.0.0.1:50010';
    expect(m.mask(line)).toBe('Received block <*> of size <*> from /<*>:<*>');
    expect(m.maskedParts(line)).toEqual(['blk_-42', '67', '10.0.0.1', '50010']);
    expect(m.maskedParts(line)).toHaveLength(m.mask(line).split('<*>').length - 1);
  });

  it('a pattern with groups masks and reports its parts the same way', () => {
    const m = user('(blk)_(-?\\d+)');
    const line = 'Received block blk_-42 of size 67';
    expect(m.mask(line)).toBe('Received block <*> of size <*>');
    expect(m.maskedParts(line)).toEqual(['blk_-42', '67']);
  });

  it('cannot hang mining: a catastrophic pattern answers on an adversarial line', () => {
    const m = user('(a+)+$');
    const line = `${'a'.repeat(40)}b x 12`;
    // Without the bounded engine this one call backtracks about 2^40 times.
    expect(m.mask(line)).toBe(`${'a'.repeat(40)}b x <*>`);
  });

  it('a risky pattern that only backtracking can run is refused, naming it', () => {
    expect(() => user('(\\w+\\s?)+\\1')).toThrow(/refused/);
  });
});
