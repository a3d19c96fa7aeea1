import { describe, expect, it } from 'vitest';
import { onFreePort } from './free-port.js';

describe('onFreePort', () => {
  it('starts again on another port when the server could not bind the one it was given', async () => {
    const tried: number[] = [];
    const port = await onFreePort(async (p) => {
      tried.push(p);
      if (tried.length === 1) throw new Error(`exited (2): listen EADDRINUSE: address already in use 127.0.0.1:${p}`);
      return p;
    });
    expect(tried).toHaveLength(2);
    expect(port).toBe(tried[1]);
  });

  it("knows the port taken from the words of esc's ListenError and of redis-server, which name no EADDRINUSE", async () => {
    for (const words of [
      (p: number) => `esc: serve: cannot listen on 127.0.0.1:${p} (resp): address already in use`,
      (p: number) => `Could not create server TCP listening socket 127.0.0.1:${p}: bind: Address already in use`,
    ]) {
      const tried: number[] = [];
      const port = await onFreePort(async (p) => {
        tried.push(p);
        if (tried.length === 1) throw new Error(words(p));
        return p;
      });
      expect(port).toBe(tried[1]);
    }
    // Another port of the same server taken (PLS, HTTP): not the one this start was given, so no retry.
    let calls = 0;
    await expect(
      onFreePort(async (p) => {
        calls++;
        throw new Error(`cannot listen on 127.0.0.1:${p}0 (pls): address already in use`);
      }),
    ).rejects.toThrow(/address already in use/);
    expect(calls).toBe(1);
  });

  it('passes any other failure on at once, and gives up after its attempts', async () => {
    let calls = 0;
    await expect(
      onFreePort(async () => {
        calls++;
        throw new Error('exited (2): listen EADDRINUSE: address already in use 127.0.0.1:1');
      }),
    ).rejects.toThrow(/127\.0\.0\.1:1$/);
    expect(calls).toBe(1);
    let busy = 0;
    await expect(
      onFreePort(async (p) => {
        busy++;
        throw new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${p}`);
      }, 3),
    ).rejects.toThrow(/EADDRINUSE/);
    expect(busy).toBe(3);
  });
});
