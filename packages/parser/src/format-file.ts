import { loadJsonFile } from '@esc/core';
import { z } from 'zod';
import { formatDefinitionSchema } from './format-definition-schema.js';

/**
 * A format file: JSON, `{ "formats": [ { "name": …, "format": "<Date> <Time> …", "timestamp": {…} }, … ] }`
 * (or just the array). Each entry is a format definition (see formatDefinitionSchema).
 */
export const formatFileSchema = z.union([
  z.object({ formats: z.array(formatDefinitionSchema).min(1) }),
  z
    .array(formatDefinitionSchema)
    .min(1)
    .transform((formats) => ({ formats })),
]);

export type FormatFile = z.output<typeof formatFileSchema>;

/** Reads and validates a format file; errors name the file and the offending field (InvalidInputError). */
export function loadFormatFile(path: string): FormatFile {
  return loadJsonFile(path, formatFileSchema);
}
