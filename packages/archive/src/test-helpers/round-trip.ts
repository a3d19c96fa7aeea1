import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveReader } from '../archive-reader.js';
import { createArchive, type CreateOptions } from '../archive-writer.js';

/** Archives `data` (written to `dir`) and reads every block back: the bytes extract would write. */
export function roundTrip(dir: string, data: Buffer, options: Partial<CreateOptions> = {}): Buffer {
  const input = join(dir, 'input.log');
  const output = join(dir, 'input.esca');
  writeFileSync(input, data);
  createArchive({ inputs: [input], output, ...options });
  return readAll(output);
}

export function readAll(path: string): Buffer {
  const reader = ArchiveReader.open(path);
  try {
    return Buffer.concat(reader.blocks.map((_, i) => reader.blockBytes(i)));
  } finally {
    reader.close();
  }
}

export function archiveOf(dir: string, files: string[], options: Partial<CreateOptions> = {}): string {
  const output = join(dir, 'files.esca');
  createArchive({ inputs: files, output, ...options });
  return output;
}

export const concatFiles = (files: string[]) => Buffer.concat(files.map((f) => readFileSync(f)));
