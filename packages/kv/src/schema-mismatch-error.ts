import { CorruptionError, type ErrorLocation } from '@esc/core';

export type SchemaName = 'snapshotHeader' | 'snapshotEntry' | 'snapshotEntryV2' | 'journalHeader' | 'journalRecord';

/**
 * Content whose checksum holds but which breaks the schema (written by something other than esc). Found by
 * the lean predicates on the hot path; `withZodDetail` loads zod to say exactly what is wrong.
 */
export class SchemaMismatchError extends CorruptionError {
  /** What was being read (`snapshot header invalid`). */
  readonly what: string;
  /** The parsed value that broke the schema. */
  readonly value: unknown;
  /** Which schema it broke (in kv-schemas.ts). */
  readonly schema: SchemaName;

  // Fields declared apart from the constructor: with stripInternal, parameter properties would vanish with it.
  /** @internal thrown by the store's readers */
  constructor(what: string, value: unknown, schema: SchemaName, location: ErrorLocation, detail?: string) {
    super(`${what}${detail ? ` (${detail})` : ''}; refusing to touch the store`, location);
    this.what = what;
    this.value = value;
    this.schema = schema;
  }

  /** @internal openKv words the error with zod before it reaches the caller */
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
