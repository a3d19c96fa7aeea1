import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import {
  BufferedOutput,
  CorruptionError,
  createPalette,
  EscError,
  ExitCode,
  shouldColor,
  UsageError,
  writeFileAtomicSync,
  type ColorMode,
} from '@esc/core';
import { openSegmentReader, type RangeOptions } from '@esc/engine';
import { renderEngineHtml, renderEngineSvg, renderEngineText } from '@esc/engine/viz';
import { colorOption, intArg, newCommand, runAction, type Command } from '../command-kit.js';
import { withEngine, withEngineOptions, type EngineFlags } from './engine/engine-options.js';
import { runShell } from './engine/engine-shell.js';
import { jsonBytes } from './engine/json-bytes.js';
import { dumpSegment } from './engine/segment-dump.js';
import { statsJson, statsText } from './engine/stats-text.js';

interface JsonFlag {
  json?: boolean;
}

/** A subcommand of `esc engine`, with esc's error handling and the engine's config flags. */
function sub(name: string, description: string): Command {
  return withEngineOptions(newCommand(`engine ${name}`, description).name(name));
}

export function createCommand(): Command {
  const engine = newCommand('engine', 'the log-structured storage engine').addHelpText(
    'after',
    '\nExit status: 0 success, 1 key not found (get), 2 error (bad usage, locked or damaged database).',
  );

  engine.addCommand(
    sub('put', 'store VALUE under KEY (VALUE omitted: read it from standard input)')
      .argument('<dir>')
      .argument('<key>')
      .argument('[value]')
      .action(
        runAction(async (dir: string, key: string, value: string | undefined, flags: EngineFlags) => {
          const data = value ?? (await readStdin());
          await withEngine(dir, flags, 'write', (e) => e.put(key, data));
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('get', 'print the value stored under KEY; exit 1 if there is none')
      .argument('<dir>')
      .argument('<key>')
      .option('--json', 'print {"key": …, "value": …}')
      .action(
        runAction(async (dir: string, key: string, flags: EngineFlags & JsonFlag) => {
          const value = await withEngine(dir, flags, 'read', (e) => e.get(key));
          if (value === undefined) throw new EscError(`key not found: ${key}`, { path: dir }, ExitCode.NotFound);
          const out = new BufferedOutput(1);
          if (flags.json) out.write(`${JSON.stringify({ key, value: jsonBytes(value) })}\n`);
          else {
            out.write(value);
            out.write('\n');
          }
          out.flush();
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('delete', 'remove KEY (a tombstone until compaction drops it)')
      .alias('del')
      .argument('<dir>')
      .argument('<key>')
      .action(
        runAction(async (dir: string, key: string, flags: EngineFlags) => {
          await withEngine(dir, flags, 'write', (e) => e.del(key));
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('scan', 'print KEY<TAB>VALUE for every key in a range, in key order')
      .argument('<dir>')
      .option('--from <key>', 'first key (inclusive)')
      .option('--to <key>', 'end key (exclusive)')
      .option('--limit <n>', 'at most N entries', intArg('--limit'))
      .option('--reverse', 'from the largest key down')
      .option('--json', 'one {"key": …, "value": …} object per line')
      .action(
        runAction(
          async (
            dir: string,
            flags: EngineFlags & JsonFlag & { from?: string; to?: string; limit?: number; reverse?: boolean },
          ) => {
            const range: RangeOptions = { reverse: flags.reverse === true };
            if (flags.from !== undefined) range.gte = flags.from;
            if (flags.to !== undefined) range.lt = flags.to;
            if (flags.limit !== undefined) range.limit = flags.limit;
            const out = new BufferedOutput(1);
            await withEngine(dir, flags, 'read', async (e) => {
              const it = e.iterator(range);
              try {
                for await (const [key, value] of it) {
                  if (flags.json) out.write(`${JSON.stringify({ key: jsonBytes(key), value: jsonBytes(value) })}\n`);
                  else {
                    out.write(key);
                    out.write('\t');
                    out.write(value);
                    out.write('\n');
                  }
                }
              } finally {
                await it.close();
              }
            });
            out.flush();
            return ExitCode.Ok;
          },
        ),
      ),
  );

  engine.addCommand(
    sub('stats', "print the engine's figures: memtable, WAL, segments per level, bloom filters, compactions")
      .argument('<dir>')
      .option('--json', 'the full statistics as JSON')
      .action(
        runAction(async (dir: string, flags: EngineFlags & JsonFlag) => {
          const stats = await withEngine(dir, flags, 'read', (e) => {
            e.measureBloomFilters();
            return e.stats();
          });
          const out = new BufferedOutput(1);
          out.write(flags.json ? `${JSON.stringify(statsJson(stats, jsonBytes), null, 2)}\n` : statsText(stats));
          out.flush();
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('compact', 'merge all segments now (drops overwritten values and tombstones)')
      .argument('<dir>')
      .option('--json', 'print the before/after figures as JSON')
      .action(
        runAction(async (dir: string, flags: EngineFlags & JsonFlag) => {
          const [before, after] = await withEngine(dir, flags, 'read', async (e) => {
            const b = await e.stats();
            await e.compact();
            return [b, await e.stats()] as const;
          });
          const figures = (s: typeof before) => ({ segments: s.totals.liveSegments, diskBytes: s.totals.diskBytes });
          const out = new BufferedOutput(1);
          out.write(
            flags.json
              ? `${JSON.stringify({ before: figures(before), after: figures(after) })}\n`
              : `compacted ${dir}: ${before.totals.liveSegments} segments, ${before.totals.diskBytes} bytes -> ${after.totals.liveSegments} segments, ${after.totals.diskBytes} bytes\n`,
          );
          out.flush();
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('verify', 'check every checksum of every file; list damage with file and offset (exit 2)')
      .argument('<dir>')
      .option('--json', 'the report as JSON')
      .action(
        runAction(async (dir: string, flags: EngineFlags & JsonFlag) => {
          const report = await withEngine(dir, flags, 'read', (e) => e.verify());
          const out = new BufferedOutput(1);
          if (flags.json) out.write(`${JSON.stringify(report)}\n`);
          else {
            for (const p of report.problems) out.write(`${p.file}: offset ${p.offset}: ${p.message}\n`);
            out.write(
              `${report.ok ? 'ok' : 'damaged'}: ${report.filesChecked} files checked, ${report.problems.length} problem(s)\n`,
            );
          }
          out.flush();
          const first = report.problems[0];
          if (!report.ok) {
            const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more problem(s))` : '';
            throw new CorruptionError(`${first?.message ?? 'verification failed'}${more}`, {
              path: first?.file ?? dir,
              offset: first?.offset,
            });
          }
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('dump', "print segments' entries as sst_dump --command=scan does (all live segments, or the ones named)")
      .argument('<dir>')
      .argument('[segments...]', 'segment ids or file names (default: every live segment)')
      .option('--hex', 'keys and values in hexadecimal (sst_dump --output_hex)')
      .action(
        runAction(async (dir: string, segments: string[], flags: EngineFlags & { hex?: boolean }) => {
          const files =
            segments.length > 0
              ? segments.map((s) => segmentPath(dir, s))
              : await withEngine(dir, flags, 'read', async (e) => (await e.stats()).segments.map((s) => s.file));
          const out = new BufferedOutput(1);
          for (const path of files) {
            const reader = await openSegmentReader(path);
            try {
              await dumpSegment(path, reader.entries(), out, flags.hex === true);
            } finally {
              await reader.close();
            }
          }
          out.flush();
          return ExitCode.Ok;
        }),
      ),
  );

  engine.addCommand(
    sub('shell', 'an interactive shell: put, get, delete, list, stats, compact, help, exit (reads stdin line by line)')
      .argument('<dir>')
      .action(
        runAction(async (dir: string, flags: EngineFlags) =>
          withEngine(dir, flags, 'write', (e) => runShell(e, process.stdin.isTTY === true)),
        ),
      ),
  );

  engine.addCommand(
    sub('viz', "draw the engine's state: segments by level, key ranges, sizes, bloom filters, next compaction")
      .argument('<dir>')
      .option('--out <file>', 'write a self-contained picture instead: FILE.svg or FILE.html')
      .addOption(colorOption())
      .action(
        runAction(async (dir: string, flags: EngineFlags & { out?: string; color: ColorMode }) => {
          const format = flags.out === undefined ? 'text' : extname(flags.out).toLowerCase();
          if (format !== 'text' && format !== '.svg' && format !== '.html' && format !== '.htm') {
            throw new UsageError(`--out ${flags.out}: the picture is written as .svg or .html`);
          }
          const stats = await withEngine(dir, flags, 'read', (e) => {
            e.measureBloomFilters();
            return e.stats();
          });
          if (flags.out !== undefined) {
            writeFileAtomicSync(flags.out, format === '.svg' ? renderEngineSvg(stats) : renderEngineHtml(stats));
            process.stderr.write(`wrote ${flags.out} (${stats.segments.length} segments)\n`);
            return ExitCode.Ok;
          }
          const out = new BufferedOutput(1);
          out.write(renderEngineText(stats, createPalette(shouldColor(flags.color, 1))));
          out.flush();
          return ExitCode.Ok;
        }),
      ),
  );

  return engine;
}

/** A segment named by id (`7`), file name (`000007.sst`) or path. */
function segmentPath(dir: string, name: string): string {
  if (/^\d+$/.test(name)) return join(dir, `${name.padStart(6, '0')}.sst`);
  return existsSync(name) && statSync(name).isFile() ? name : join(dir, name);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
