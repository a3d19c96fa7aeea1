import { DEFAULT_MAX_LINE_LENGTH, type LogFormat, normaliseLevel, selectFormat } from '@esc/parser';
import { EventInputError, eventFromJson, type NewLogEvent, parseIsoTime } from './log-event.js';
import { newEventId } from './event-id.js';

/** One problem of a batch, by line (NDJSON, text) or item (a JSON array), 1-based. */
export interface BatchProblem {
  line?: number;
  item?: number;
  field?: string;
  error: string;
}

/** A body that is refused whole: the reply lists every problem (the first 100). */
export class BatchRefusedError extends Error {
  constructor(
    message: string,
    readonly problems: BatchProblem[],
  ) {
    super(message);
    this.name = 'BatchRefusedError';
  }
}

const MAX_PROBLEMS = 100;

/** The events of a body; `sources[i]`, when there, is event i's JSON as the client sent it (stored as is). */
export interface IngestBatch {
  events: NewLogEvent[];
  sources?: (string | null)[];
  /** One event, not a batch: its reply has one id. */
  single: boolean;
}

/** The body of POST /ingest and how it came. */
export interface IngestBody {
  contentType: string;
  /** As read: NDJSON comes as bytes (split into lines there, no whole-body string), the rest as text. */
  payload: string | Buffer;
  /** ?format= for text/plain (default auto). */
  format?: string;
  /** ?service= for text/plain: the service of lines whose format has no component field. */
  service?: string;
}

/**
 * Turns a body into events: one JSON object, a JSON array, NDJSON (`application/x-ndjson`) or text lines
 * (`text/plain`, parsed by @esc/parser). A batch with any bad item or line is refused whole, every problem
 * named by its line or item number, so a client that fixes and resends never stores half a batch twice.
 * Returns whether the body was a single event (its reply has one id). JSON and NDJSON are turned into events
 * at once (no promise for the hot path of single events); text lines wait for @esc/parser's format selection.
 */
export function eventsFromBody(body: IngestBody, receivedAt: number): IngestBatch | Promise<IngestBatch> {
  const kind = bodyKind(body.contentType);
  if (kind === 'ndjson') {
    const { payload } = body;
    return fromNdjson(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, receivedAt);
  }
  const text = typeof body.payload === 'string' ? body.payload : body.payload.toString('utf8');
  if (kind === 'text') return fromText(text, body, receivedAt).then((events) => ({ events, single: false }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new EventInputError(`invalid JSON: ${(err as Error).message}`, undefined);
  }
  if (!Array.isArray(parsed)) return { events: [eventFromJson(parsed, receivedAt)], sources: [text], single: true };
  const events: NewLogEvent[] = [];
  const problems: BatchProblem[] = [];
  parsed.forEach((item, i) => {
    try {
      events.push(eventFromJson(item, receivedAt));
    } catch (err) {
      if (!(err instanceof EventInputError)) throw err;
      if (problems.length < MAX_PROBLEMS) problems.push({ item: i + 1, field: err.field, error: err.message });
      else problems.length++;
    }
  });
  refuseIfAny(problems, 'item');
  return { events, single: false };
}

/** The media types read as NDJSON (also the ones the HTTP app reads as bytes). */
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

/** How a body is read, by its Content-Type (media type case-insensitive, parameters ignored). */
function bodyKind(contentType: string): 'json' | 'ndjson' | 'text' {
  // The usual spellings as sent, before splitting off parameters and lower-casing (per request).
  if (contentType === 'application/json') return 'json';
  if (contentType === 'application/x-ndjson') return 'ndjson';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (NDJSON_TYPES.includes(type)) return 'ndjson';
  return type === 'text/plain' ? 'text' : 'json';
}

type Utf8Bytes = Buffer & { utf8Slice(start: number, end: number): string };

const NEWLINE = 0x0a;

/**
 * NDJSON from the bytes, line by line: each line decoded on its own (UTF-8 never has a 0x0a byte inside a
 * character, so the lines are those of the decoded body) and kept, trimmed, as the event's stored JSON.
 */
function fromNdjson(bytes: Buffer, receivedAt: number): IngestBatch {
  const events: NewLogEvent[] = [];
  const sources: string[] = [];
  const problems: BatchProblem[] = [];
  let line = 0;
  for (let start = 0; start < bytes.length; ) {
    let nl = bytes.indexOf(NEWLINE, start);
    if (nl === -1) nl = bytes.length;
    line++;
    const raw = (bytes as Utf8Bytes).utf8Slice(start, nl).trim();
    start = nl + 1;
    if (raw === '') continue;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        throw new EventInputError(`invalid JSON: ${(err as Error).message}`, undefined);
      }
      events.push(eventFromJson(parsed, receivedAt));
      sources.push(raw);
    } catch (err) {
      if (!(err instanceof EventInputError)) throw err;
      if (problems.length < MAX_PROBLEMS) problems.push({ line, field: err.field, error: err.message });
      else problems.length++;
    }
  }
  refuseIfAny(problems, 'line');
  return { events, sources, single: false };
}

async function fromText(text: string, body: IngestBody, receivedAt: number): Promise<NewLogEvent[]> {
  const lines = text.split('\n');
  let selection = await selectFormat({ format: body.format ?? 'auto' }, lines.slice(0, 50));
  // Lines no built-in format recognises are taken whole as messages rather than all refused.
  if (selection.how === 'fallback') selection = await selectFormat({ format: '<content>' }, []);
  const format = selection.format;
  const events: NewLogEvent[] = [];
  const problems: BatchProblem[] = [];
  lines.forEach((text, i) => {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.trim() === '') return;
    const r = line.length > DEFAULT_MAX_LINE_LENGTH ? null : format.parse(line);
    if (r === null) {
      if (problems.length < MAX_PROBLEMS)
        problems.push({ line: i + 1, error: `line does not match the ${format.name} format` });
      else problems.length++;
      return;
    }
    const time = r.time === null ? null : parseIsoTime(r.time.iso);
    events.push({
      id: newEventId(),
      level: normaliseLevel(r.level ?? 'INFO'),
      service: r.component ?? body.service ?? format.name,
      message: r.message ?? line,
      timestamp: time ?? receivedAt,
      receivedAt,
      metadata: otherFields(r.fields, format),
    });
  });
  refuseIfAny(problems, 'line');
  return events;
}

/** A parsed line's fields but those that became the event's level, service and message. */
function otherFields(fields: Record<string, string>, format: LogFormat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in fields)
    if (key !== format.levelField && key !== format.componentField && key !== format.messageField)
      out[key] = fields[key];
  return out;
}

function refuseIfAny(problems: BatchProblem[], unit: 'line' | 'item'): void {
  if (problems.length === 0) return;
  // Past MAX_PROBLEMS the array only counts (its length grows, its entries stay empty).
  throw new BatchRefusedError(
    `${problems.length} bad ${unit}(s) in the batch (first at ${unit} ${problems[0]![unit]}); nothing was stored`,
    problems.slice(0, MAX_PROBLEMS),
  );
}
