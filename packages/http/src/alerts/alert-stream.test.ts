import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AlertStream } from './alert-stream.js';

/** A response whose socket never drains: what it was sent piles up in writableLength. */
class StalledResponse extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  status = 0;
  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  write(text: string): boolean {
    this.writableLength += Buffer.byteLength(text);
    return false;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  end(): void {}
}

describe('AlertStream', () => {
  it('disconnects a client that does not read once 1 MiB is unsent, and keeps serving the others', () => {
    const changes: [number, boolean][] = [];
    const stream = new AlertStream((clients, dropped) => changes.push([clients, dropped]));
    const stalled = new StalledResponse();
    const reading = new StalledResponse();
    stream.add(stalled as unknown as ServerResponse);
    stream.add(reading as unknown as ServerResponse);
    const record = { rule: 'r', status: 'firing', padding: 'x'.repeat(1000) };
    let sent = 0;
    while (!stalled.destroyed && sent < 10_000) {
      stream.send('alert', record, ++sent);
      reading.writableLength = 0; // this one's socket drains
    }
    expect(stalled.destroyed).toBe(true);
    expect(stalled.writableLength).toBeLessThan((1 << 20) + 2000);
    expect(stream.size).toBe(1);
    expect(changes.at(-1)).toEqual([1, true]);
    stream.send('alert', record, ++sent);
    expect(reading.writableLength).toBeGreaterThan(1000);
    stream.close();
  });
});
