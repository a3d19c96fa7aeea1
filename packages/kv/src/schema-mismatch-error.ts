import { CorruptionError, type ErrorLocation } from '@esc/core';

export type SchemaName = 'snapshotHeader' | 'snapshotEntry' | 'snapshotEntryV2' | 'journalHeader' | 'journalRecord';

/**
 * Content whose checksum holds but which breaks the schema (written by something other than esc). Found by
 * the lean predicates on the hot path; `withZodDetail` loads zod to say exactly what is wrong.
 */
export class SchemaMismatchError extends CorruptionError {
  constructor(
    readonly what: string,
    readonly value: unknown,
    readonly schema: SchemaName,
    location: ErrorLocation,
    detail?: string,
  ) {
    super(`${what}${detail ? ` (${detail})` : ''}; refusing to touch the store`, location);
  }

  async withZodDetail(): Promise<SchemaMismatchError> {
    const schemas = await import('./kv-schemas.js');
    const schema = {
      snapshotHeader: schemas.snapshotHeaderSchema,
      snapshotEntry: schemas.snapshotEntrySchema,
      snapshotEntryV2: schemas.snapshotEntryV2Schema,
      journalHeader: schemas.journalHeaderSchema,
      journalRecord: schemas.journalRecordSchema,
    }[this.schema];
    return new SchemaMismatchError(
      this.what,
      this.value,
      this.schema,
      { path: this.path, line: this.line, offset: this.offset },
      schemas.describeIssue(schema, this.value),
    );
  }
}
