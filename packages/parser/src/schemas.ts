// The zod schemas of @esc/parser, apart from the main entry so that parsing does not load zod.
export { formatDefinitionSchema } from './format-definition-schema.js';
export { formatFileSchema, loadFormatFile, type FormatFile } from './format-file.js';
export { statsReportSchema, type StatsReport } from './stats-report-schema.js';
