import { existsSync } from 'node:fs';
import {
  compileUserPattern,
  ExitCode,
  InvalidInputError,
  loadJsonFile,
  openInput,
  UsageError,
  writeFileAtomicSync,
} from '@esc/core';
import { InvalidFormatError, type LogFormat, readTextChunks, selectFormat, StreamSink } from '@esc/parser';
import { DEFAULT_MASKS, type MaskRule, type MinedTemplate, TemplateMiner } from '@esc/templates';
import { intArg, newCommand, Option, runAction, type Command } from '../command-kit.js';

interface TemplatesFlags {
  format: string;
  output: 'table' | 'json' | 'csv' | 'ndjson';
  perLine?: boolean;
  masks?: string;
  state?: string;
  similarity?: string;
  maxClusters?: number;
}

// Lines --format auto looks at.
const SAMPLE_LINES = 50;
// `--format line`: mine whole lines.
const WHOLE_LINES = 'line';

export function createCommand(): Command {
  return newCommand('templates', 'mine event templates from logs (online, one pass, bounded memory)')
    .argument('[files...]', "the logs ('-' or nothing: standard input)")
    .option(
      '-f, --format <format>',
      "auto, 'line' (whole lines), a built-in name, or a Loghub format string: the message field is mined",
      'auto',
    )
    .addOption(
      new Option('-o, --output <form>', 'output form').choices(['table', 'json', 'csv', 'ndjson']).default('table'),
    )
    .option('--per-line', 'one record per input line: {file, line, templateId, template, params} (NDJSON)')
    .option('--masks <file>', 'a JSON file of masks {"masks":[{"name","pattern"}],"defaults":true} tried first')
    .option('--state <file>', 'resume the miner from this file if it exists, and save it there at the end')
    .option('--similarity <share>', 'share of tokens a line must share with a template to join it (default 0.6)')
    .option(
      '--max-clusters <n>',
      'cap on clusters, least recently used evicted (default 50000)',
      intArg('--max-clusters', 1),
    )
    .addHelpText(
      'after',
      `
Output: the templates, most frequent first, with a stable id (a hash of the template), the count and a sample
line. Lines that do not match the format are mined whole. With --per-line each line's template is the one
known when the line was read (a later line may still widen it).
Exit status: 0 success, 2 error.`,
    )
    .action(runAction((files: string[], flags: TemplatesFlags) => templatesCommand(files, flags)));
}

async function templatesCommand(files: string[], flags: TemplatesFlags): Promise<number> {
  const miner = await createMiner(flags);
  const out = new StreamSink(process.stdout);
  const inputs = files.length === 0 ? ['-'] : files;
  for (const file of inputs) {
    const source = openInput(file);
    try {
      const chunks = readTextChunks(source);
      const first = await chunks.next();
      if (first.done) continue;
      const format = await chooseFormat(flags.format, first.value);
      let carry = '';
      let lineNo = 0;
      const mine = async (text: string, final: boolean) => {
        let start = 0;
        let batch = '';
        for (;;) {
          const nl = text.indexOf('\n', start);
          if (nl === -1 && !(final && start < text.length)) break;
          const end = nl === -1 ? text.length : nl;
          const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
          start = end + 1;
          lineNo++;
          const content = messageOf(format, line);
          const cluster = miner.add(content);
          if (flags.perLine) {
            const { templateId, template, params } = miner.describe(content, cluster);
            batch += `${JSON.stringify({ file: source.name, line: lineNo, templateId, template, params })}\n`;
          }
        }
        if (batch !== '') {
          out.write(batch);
          await out.drain();
        }
        return text.slice(start);
      };
      carry = await mine(first.value, false);
      for await (const text of chunks) carry = await mine(carry + text, false);
      if (carry !== '') await mine(carry, true);
    } finally {
      source.close();
    }
  }
  if (!flags.perLine) out.write(render(miner.templates(), flags.output));
  await out.end();
  if (flags.state !== undefined) writeFileAtomicSync(flags.state, `${JSON.stringify(miner.toState())}\n`);
  return ExitCode.Ok;
}

// zod (for the files read) is imported only when a file is given: mining alone does not need it.
async function createMiner(flags: TemplatesFlags): Promise<TemplateMiner> {
  if (flags.state !== undefined && existsSync(flags.state)) {
    const { minerStateSchema } = await import('@esc/templates/schemas');
    return TemplateMiner.fromState(loadJsonFile(flags.state, minerStateSchema));
  }
  let masks: readonly MaskRule[] = DEFAULT_MASKS;
  if (flags.masks !== undefined) {
    const file = loadJsonFile(flags.masks, (await import('@esc/templates/schemas')).maskFileSchema);
    for (const m of file.masks) {
      // A user's mask is a user pattern: it must run in bounded time like every other (docs/core.md).
      try {
        compileUserPattern(m.pattern);
      } catch (err) {
        throw new InvalidInputError(`mask ${m.name}: ${(err as Error).message}`, { path: flags.masks });
      }
    }
    masks = file.defaults ? [...file.masks, ...DEFAULT_MASKS] : file.masks;
  }
  const similarity = flags.similarity === undefined ? undefined : Number(flags.similarity);
  if (similarity !== undefined && !(similarity >= 0 && similarity <= 1))
    throw new UsageError(`--similarity: expected a share from 0 to 1, not '${flags.similarity}'`);
  return new TemplateMiner({
    masks,
    ...(similarity === undefined ? {} : { similarity }),
    ...(flags.maxClusters === undefined ? {} : { maxClusters: flags.maxClusters }),
  });
}

async function chooseFormat(name: string, firstChunk: string): Promise<LogFormat | undefined> {
  if (name === WHOLE_LINES) return undefined;
  try {
    const selection = await selectFormat({ format: name }, firstChunk.split('\n', SAMPLE_LINES), {});
    // Nothing matched: whole lines are mined rather than nothing.
    return selection.how === 'fallback' ? undefined : selection.format;
  } catch (err) {
    if (err instanceof InvalidFormatError) throw new UsageError(err.message);
    throw err;
  }
}

function messageOf(format: LogFormat | undefined, line: string): string {
  if (format === undefined) return line;
  return format.parse(line)?.message ?? line;
}

function render(templates: readonly MinedTemplate[], form: TemplatesFlags['output']): string {
  switch (form) {
    case 'json':
      return `${JSON.stringify(templates, null, 2)}\n`;
    case 'ndjson':
      return templates.map((t) => `${JSON.stringify(t)}\n`).join('');
    case 'csv':
      return [
        'id,count,template,sample\n',
        ...templates.map((t) => `${t.id},${t.count},${csv(t.template)},${csv(t.sample)}\n`),
      ].join('');
    default: {
      const width = Math.max(5, ...templates.map((t) => String(t.count).length));
      const rows = templates.map((t) => `${t.id}  ${String(t.count).padStart(width)}  ${printable(t.template)}\n`);
      return `${'id'.padEnd(16)}  ${'count'.padStart(width)}  template\n${rows.join('')}`;
    }
  }
}

// Control characters from binary input would drive the terminal: the table shows them as \xNN.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it escapes
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function csv(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
