import { compileFormat, findBuiltinFormat } from '@esc/parser';
import { describe, expect, it } from 'vitest';
import { TableWriter } from './table-writer.js';

// JSON lines records shaped differently from one another: the table must not drop the later shapes' fields.
const jsonl = compileFormat(findBuiltinFormat('jsonl')!);
const records = [
  '{"ts":"2024-01-01T00:00:00Z","level":"warn","msg":"a, \\"b\\""}',
  '{"time":1700000000,"severity":"error","message":"x"}',
].map((l) => jsonl.parse(l)!);

function collect(): { text: string; write(t: string): void } {
  return {
    text: '',
    write(t) {
      this.text += t;
    },
  };
}

describe('table writer', () => {
  it('table: the same columns, timestamp first', () => {
    const sink = collect();
    new TableWriter(sink, jsonl.fields).write(records);
    const [header, , second] = sink.text.split('\n');
    expect(header!.split(/\s+/)).toEqual(['timestamp', 'ts', 'level', 'msg', 'time', 'severity', 'message']);
    expect(second).toMatch(/^2023-11-14T22:13:20Z\s+1700000000\s+error\s+x$/);
  });
});
