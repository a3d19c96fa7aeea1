import { describe, expect, it } from 'vitest';
import { CommandTable } from './command-table.js';
import { OK } from './reply.js';

const spec = (name: string) => ({ name, arity: 1, flags: [], firstKey: 0, lastKey: 0, step: 0, handler: () => OK });

describe('CommandTable', () => {
  it('finds names in any case from their bytes, and nothing else', () => {
    const table = new CommandTable();
    for (const name of ['get', 'set', 'getset', 'xautoclaim', 'punsubscribe', 'a-very-long-command-name'])
      table.add(spec(name));
    for (const sent of ['get', 'GET', 'gEt', 'XAUTOCLAIM', 'punSubscribe', 'A-VERY-LONG-COMMAND-NAME'])
      expect(table.lookupBytes(Buffer.from(sent))?.spec.name).toBe(sent.toLowerCase());
    for (const sent of ['ge', 'gett', 'g\u00e9t', 'get\u0000', 'GET ', '', 'ged', 'set\u0020', '\u00c7ET'])
      expect(table.lookupBytes(Buffer.from(sent, 'latin1'))).toBeUndefined();
    // Repeats (a pipeline) and changes of command, with the last one found tried first.
    const sequence = ['get', 'get', 'gett', 'GET', 'ge', 'set', 'get', 'getset', 'gets', 'getset'];
    expect(sequence.map((sent) => table.lookupBytes(Buffer.from(sent))?.spec.name)).toEqual([
      'get',
      'get',
      undefined,
      'get',
      undefined,
      'set',
      'get',
      'getset',
      undefined,
      'getset',
    ]);
  });

  it('refuses a name defined twice', () => {
    const table = new CommandTable();
    table.add(spec('ping'));
    expect(() => table.add(spec('PING'))).toThrow(/defined twice/);
  });
});
