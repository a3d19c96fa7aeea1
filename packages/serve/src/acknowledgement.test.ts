import { describe, expect, it } from 'vitest';
import { Acknowledgement } from './acknowledgement.js';

describe('Acknowledgement', () => {
  it('calls its listeners once, in order, when it settles, with the outcome', () => {
    const ack = new Acknowledgement();
    const calls: string[] = [];
    ack.listen((ok) => calls.push(`a:${ok}`));
    ack.listen((ok) => calls.push(`b:${ok}`));
    expect(calls).toEqual([]);
    ack.settle(true);
    expect(calls).toEqual(['a:true', 'b:true']);
    ack.settle(false, new Error('late'));
    expect(calls).toEqual(['a:true', 'b:true']);
  });

  it('gives a failure its error, and a listener that comes after the settling the same outcome, not synchronously', async () => {
    const ack = new Acknowledgement();
    const err = new Error('disk full');
    ack.settle(false, err);
    const seen: [boolean, unknown][] = [];
    ack.listen((ok, e) => seen.push([ok, e]));
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual([[false, err]]);
  });

  it('is awaited as a promise: resolves when acknowledged, rejects with the store error', async () => {
    const ok = new Acknowledgement();
    const waiting = Promise.all([ok, ok.then(() => 'after')]);
    ok.settle(true);
    await expect(waiting).resolves.toEqual([undefined, 'after']);
    const failed = new Acknowledgement();
    const rejected = expect(Promise.resolve(failed)).rejects.toThrow('disk full');
    failed.settle(false, new Error('disk full'));
    await rejected;
  });
});
