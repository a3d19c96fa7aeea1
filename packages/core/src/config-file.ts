import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { FileAccessError, InvalidInputError } from './errors.js';

/** Reads a JSON file and validates it with a zod schema; every failure names the file and the field. */
export function loadJsonFile<S extends z.ZodType>(path: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`not valid JSON: ${(err as Error).message}`, { path });
  }
  return parseWithSchema(schema, raw, path);
}

/** Validates `value`; an error names the source and the first offending field path. */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new InvalidInputError(`invalid${where}: ${issue?.message ?? 'does not match the schema'}`, { path: source });
}
