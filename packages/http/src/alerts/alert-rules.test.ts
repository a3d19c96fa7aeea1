import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRulesFile } from './alert-rules.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'esc-rules-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(content: unknown): () => unknown {
  const path = join(dir, 'rules.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return () => loadRulesFile(path);
}

const rule = { name: 'r', level: 'ERROR', threshold: 5, window: '1m' };

describe('rules file', () => {
  it('reads rules, durations and the webhook with its defaults', () => {
    const set = load({
      webhook: 'http://127.0.0.1:9/hook',
      rules: [{ ...rule, cooldown: '30s', pattern: 'x+' }],
    })() as ReturnType<typeof loadRulesFile>;
    expect(set.webhook).toEqual({ url: 'http://127.0.0.1:9/hook', timeout: 5000, retries: 5 });
    expect(set.rules[0]).toMatchObject({
      name: 'r',
      level: 'ERROR',
      threshold: 5,
      windowMs: 60_000,
      cooldownMs: 30_000,
      window: '1m',
    });
    expect(set.rules[0]!.matches({ level: 'error', service: 's', message: 'axxb' })).toBe(true);
    expect(set.rules[0]!.matches({ level: 'ERROR', service: 's', message: 'ab' })).toBe(false);
  });

  it.each([
    [
      { rules: [{ ...rule, window: '1 fortnight' }] },
      /rules\.json: invalid at rules\.0\.window: invalid duration '1 fortnight'/,
    ],
    [{ rules: [{ ...rule, threshold: 0 }] }, /invalid at rules\.0\.threshold: /],
    [{ rules: [{ ...rule, threshold: '5' }] }, /invalid at rules\.0\.threshold: .*number/],
    [{ rules: [rule, { ...rule, tresh: 1 }] }, /invalid at rules\.1: .*tresh/],
    [{ rules: [rule, rule] }, /invalid at rules\.1\.name: duplicate rule name 'r'/],
    [{ rules: [{ ...rule, pattern: '(a+)+\\1' }] }, /invalid at rules\.0\.pattern: pattern '\(a\+\)\+\\1' refused/],
    [{ rules: [{ ...rule, pattern: '(' }] }, /invalid at rules\.0\.pattern: invalid regular expression/],
    [{ webhook: 'ftp://x', rules: [] }, /invalid at webhook: /],
    [{}, /invalid at rules: /],
    ['{"rules": [', /rules\.json: not valid JSON/],
  ])('a bad file is one line naming the field: %j', (content, message) => {
    let line = '';
    try {
      load(content)();
    } catch (err) {
      line = (err as { describe(): string }).describe();
    }
    expect(line).toMatch(message);
    expect(line).not.toContain('\n');
  });
});
