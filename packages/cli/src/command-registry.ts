import type { Command } from 'commander';

/** A subcommand module: builds its commander Command when (and only when) that subcommand runs. */
export interface CommandModule {
  createCommand(): Command;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

/**
 * Every subcommand, listed without loading it: `esc --help` reads only this table, and `esc X` imports only
 * X's module (and through it only X's library), which keeps start-up time flat as esc grows.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'logread',
    summary: 'print the first lines of files, or whole files (-n N, --all)',
    load: () => import('./commands/logread.js'),
  },
  {
    name: 'loggrep',
    summary: 'search files for lines matching a pattern, grep-style, with --stats',
    load: () => import('./commands/loggrep.js'),
  },
  {
    name: 'logtail',
    summary: 'print the last lines of files, reading from the end; -f/-F follow',
    load: () => import('./commands/logtail.js'),
  },
  {
    name: 'parse',
    summary: 'parse logs into structured records (NDJSON, JSON, CSV, table) and statistics',
    load: () => import('./commands/parse.js'),
  },
  {
    name: 'templates',
    summary: 'mine event templates (<*> for variables) from logs, with ids, counts and per-line parameters',
    load: () => import('./commands/templates.js'),
  },
  {
    name: 'archive',
    summary: 'lossless, checksummed log archives far smaller than xz: create/extract/info/verify/grep',
    load: () => import('./commands/archive.js'),
  },
  {
    name: 'kv',
    summary: 'a TTL key-value store with atomic, concurrent-safe JSON persistence',
    load: () => import('./commands/kv.js'),
  },
  {
    name: 'engine',
    summary: 'the log-structured storage engine: put/get/scan/stats/compact/verify/dump/viz',
    load: () => import('./commands/engine.js'),
  },
  {
    name: 'topic',
    summary: 'durable topic logs: create/list/describe/alter/delete topics (with produce and consume)',
    load: () => import('./commands/topic.js'),
  },
  {
    name: 'produce',
    summary: 'append standard input to a topic, one record per line',
    load: () => import('./commands/produce.js'),
  },
  {
    name: 'consume',
    summary: 'print the records of a topic, from an offset, a time or a group; -f follows',
    load: () => import('./commands/consume.js'),
  },
  {
    name: 'serve',
    summary: 'serve the kv store and the topics to Redis clients (RESP) and PyLogStreams clients',
    load: () => import('./commands/serve.js'),
  },
];
