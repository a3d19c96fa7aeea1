import { describe, expect, it } from 'vitest';
import { TemplateMiner } from './template-miner.js';

describe('the miner', () => {
  it('gives parameters in order, whole tokens where the template widened and masked parts elsewhere', () => {
    const miner = new TemplateMiner();
    miner.add('user alice logged in from 10.0.0.1 port 22');
    const c = miner.add('user bob logged in from 10.0.0.2 port 2222');
    // Two names at one place are kept apart until five alike clusters pile up: bob is still a constant here.
    expect(miner.describe('user bob logged in from 10.0.0.2 port 2222', c).params).toEqual(['10.0.0.2', '2222']);
    const ip = miner.add('connect blk_7 to 10.1.1.1:50010 now');
    expect(miner.describe('connect blk_8 to 10.1.1.2:50011 now', ip)).toMatchObject({
      template: 'connect blk_<*> to <*>:<*> now',
      params: ['8', '10.1.1.2', '50011'],
    });
  });

  it('folds a word position into a variable once five clusters differ only there', () => {
    const miner = new TemplateMiner();
    const names = ['alice', 'bob', 'carol', 'dave'];
    for (const n of names) miner.add(`session opened for user ${n}`);
    expect(miner.templates()).toHaveLength(4);
    miner.add('session opened for user erin');
    expect(miner.templates()).toEqual([expect.objectContaining({ template: 'session opened for user <*>', count: 5 })]);
  });

  it('keeps clusters that differ in two words apart however many there are', () => {
    const miner = new TemplateMiner();
    const states = ['NEW', 'UNASSIGNED', 'ASSIGNED', 'RUNNING', 'CLEANUP', 'FAILED', 'DONE'];
    for (let i = 1; i < states.length; i++) miner.add(`task moved from ${states[i - 1]} to ${states[i]}`);
    expect(miner.templates()).toHaveLength(6);
  });

  it('a list of values of any length is one template', () => {
    const miner = new TemplateMiner();
    miner.add('ask 10.0.0.1:50010 to delete blk_1');
    miner.add('ask 10.0.0.2:50010 to delete blk_2 blk_3 blk_4');
    const c = miner.add('ask 10.0.0.3:50010 to delete blk_5 blk_6');
    expect(miner.templates()).toHaveLength(1);
    // Members of one event share its constants; a gap is one wildcard.
    expect(miner.templateOf(c)).toBe('ask <*> to delete blk_<*>');
  });

  it('a variable spanning more tokens in some lines (a size with or without its unit) is one template', () => {
    const miner = new TemplateMiner();
    miner.add('host:1 close, 10 bytes sent, lifetime 00:01');
    miner.add('host:2 close, 20 bytes (1.2 KB) sent, lifetime <1 sec');
    expect(miner.templates().map((t) => [t.template, t.count])).toEqual([
      ['host:<*> close, <*> bytes <*> sent, lifetime <*>', 2],
    ]);
  });

  it('keeps at most maxClusters clusters, evicting the least recently used', () => {
    const miner = new TemplateMiner({ maxClusters: 2 });
    const a = miner.add('alpha one');
    miner.add('beta two three');
    miner.add('alpha one');
    miner.add('gamma four five six');
    expect([...miner.toState().clusters].map((c) => c.tokens.join(' '))).toEqual(['alpha one', 'gamma four five six']);
    expect(a.evicted).toBe(false);
  });

  it('a handle to an evicted cluster still describes its line', () => {
    const miner = new TemplateMiner({ maxClusters: 1 });
    const a = miner.add('alpha 1');
    miner.add('beta gamma delta');
    expect(a.evicted).toBe(true);
    expect(miner.describe('alpha 1', a)).toMatchObject({ template: 'alpha <*>', params: ['1'] });
  });
});

describe('weighted lines', () => {
  it('a line added with weight N counts N in its template, also after its cluster is folded into another', () => {
    const weighted = new TemplateMiner();
    const plain = new TemplateMiner();
    const lines = ['user alice logged in', 'user bob logged in', 'user carol logged in', 'disk full on sda'];
    for (const line of lines) {
      weighted.add(line, 3);
      for (let i = 0; i < 3; i++) plain.add(line);
    }
    const counts = (m: TemplateMiner) => m.templates().map(({ template, count }) => [template, count]);
    expect(counts(weighted)).toEqual(counts(plain));
    expect(weighted.templates().reduce((n, t) => n + t.count, 0)).toBe(12);
  });
});
