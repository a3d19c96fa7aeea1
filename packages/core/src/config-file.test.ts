import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@esc/test-fixtures';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadJsonFile } from './config-file.js';
import { FileAccessError, InvalidInputError } from './errors.js';

const Schema = z.object({ size: z.number().int().positive().default(1024), name: z.string() });

describe('loadJsonFile', () => {
  const dir = tempDir('esc-config');
  it('applies defaults from the schema', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, '{"name":"x"}');
    expect(loadJsonFile(path, Schema)).toEqual({ name: 'x', size: 1024 });
  });
  it('names the file and the field on a schema violation', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"name":"x","size":-1}');
    expect(() => loadJsonFile(path, Schema)).toThrow(InvalidInputError);
    try {
      loadJsonFile(path, Schema);
    } catch (err) {
      expect((err as InvalidInputError).describe()).toMatch(new RegExp(`^${path}: invalid at size: `));
    }
  });
  it('reports broken JSON and missing files with the path', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"name":');
    expect(() => loadJsonFile(path, Schema)).toThrow(/not valid JSON/);
    expect(() => loadJsonFile(join(dir, 'nope.json'), Schema)).toThrow(FileAccessError);
  });
});
