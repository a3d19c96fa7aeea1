import { describe, expect, it } from 'vitest';
import { CsvWriter } from './csv-writer.js';
import { findBuiltinFormat } from './format-registry.js';
import { compileFormat } from './log-format.js';

// JSON lines records shaped differently from one another: the header forms must not drop the later shapes' fields.
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

describe('header columns for JSON lines', () => {
  it('CSV: every key of the first batch is a column, in order of first appearance', () => {
    const sink = collect();
    const w = new CsvWriter(sink, jsonl.fields);
    w.write(records);
    w.end();
    expect(sink.text.split('\r\n')).toEqual([
      'ts,level,msg,time,severity,message,timestamp',
      '2024-01-01T00:00:00Z,warn,"a, ""b""",,,,2024-01-01T00:00:00Z',
      ',,,1700000000,error,x,2023-11-14T22:13:20Z',
      '',
    ]);
  });
});
