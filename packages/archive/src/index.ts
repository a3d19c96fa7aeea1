export { createArchive, type CreateOptions, type CreateSummary, DEFAULT_LEVEL } from './archive-writer.js';
export { ArchiveReader, ArchiveDamageError } from './archive-reader.js';
export type { ArchiveDescription, BlockInfo } from './archive-layout.js';
export { searchChunks, type LineTally, type SearchOptions } from './archive-search.js';
export type { LineJudge } from './template-verdicts.js';
export { type FieldLocator, MAX_FIELDS } from './header-fields.js';
export { sectionTotals, type SectionTotal } from './section-totals.js';
