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
