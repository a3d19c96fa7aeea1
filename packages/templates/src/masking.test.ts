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
