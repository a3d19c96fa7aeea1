import { join } from 'node:path';
import { openStreams } from '@esc/streams';
import { tempDir } from '@esc/test-fixtures';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';
import { IngestPipeline } from './ingest-pipeline.js';
import { eventFromJson } from './log-event.js';
import { LogIndex } from './log-index.js';

const root = tempDir('esc-ingest-pipeline');

describe('IngestPipeline', () => {
  it('appends the requests of one event-loop turn together, in order, and acknowledges each with its events', async () => {
    const store = openStreams(join(root, 'turn'), { onWarning: () => {} });
    const log = new EventLog(store, 'logs', 'none');
    const appends: number[] = [];
    const append = log.append.bind(log);
    log.append = (events, sources) => {
      appends.push(events.length);
      return append(events, sources);
    };
    const index = new LogIndex();
    const pipeline = new IngestPipeline(log, index, 1000);
    const seen: number[] = [];
    pipeline.onEvent((e) => seen.push(e.offset));
    const request = (i: number, n: number) =>
      pipeline.ingest(
        Array.from({ length: n }, (_, k) =>
          eventFromJson({ level: 'INFO', service: 's', message: `r${i} e${k}` }, 1_000),
        ),
      );
    // 30 requests in one turn (as from one read of the sockets): one append; then one more turn, one more.
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => request(i, 1 + (i % 3))));
    const second = await Promise.all([request(30, 2), request(31, 1)]);
    expect(appends).toEqual([60, 3]);
    const offsets = [...first, ...second].flatMap((stored) => stored.map((e) => e.offset));
    expect(offsets).toEqual(Array.from({ length: 63 }, (_, i) => i));
    expect(first[29]!.map((e) => e.message)).toEqual(['r29 e0', 'r29 e1', 'r29 e2']);
    expect(seen).toEqual(offsets);
    expect(index.count).toBe(63);
    expect(pipeline.pending).toBe(0);
    expect(pipeline.processed).toBe(63);
    await log.close();
    await store.close();
  });
});
