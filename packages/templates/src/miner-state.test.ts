import { describe, expect, it } from 'vitest';
import { minerStateSchema } from './schemas.js';
import { TemplateMiner } from './template-miner.js';

const LINES = [
  'Received block blk_1 of size 100 from /10.0.0.1',
  'Received block blk_2 of size 200 from /10.0.0.2',
  'Deleting block blk_3 file /data/blk_3',
  'VM Started (Lifecycle Event)',
  'VM Paused (Lifecycle Event)',
];

describe('miner state', () => {
  it('a resumed miner gives the same templates as one that never stopped', () => {
    const whole = new TemplateMiner();
    for (const l of [...LINES, ...LINES]) whole.add(l);
    const first = new TemplateMiner();
    for (const l of LINES) first.add(l);
    const saved = minerStateSchema.parse(JSON.parse(JSON.stringify(first.toState())));
    const resumed = TemplateMiner.fromState(saved);
    for (const l of LINES) resumed.add(l);
    expect(resumed.templates()).toEqual(whole.templates());
  });

  it('the schema refuses another version', () => {
    const state = { ...new TemplateMiner().toState(), version: 2 };
    expect(minerStateSchema.safeParse(state).success).toBe(false);
  });
});

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

  it('keeps at most maxClusters clusters, evicting the least recently used', () => {
    const miner = new TemplateMiner({ maxClusters: 2 });
    const a = miner.add('alpha one');
    miner.add('beta two three');
    miner.add('alpha one');
    miner.add('gamma four five six');
    expect([...miner.toState().clusters].map((c) => c.tokens.join(' '))).toEqual(['alpha one', 'gamma four five six']);
    expect(a.evicted).toBe(false);
  });
});
