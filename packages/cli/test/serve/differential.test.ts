/**
 * The differential suite: every scripts/*.redis runs against Debian's redis-server and against `esc serve`, both
 * started here, and the replies must be equal, byte for byte after the normalisations a line asks for.
 *
 * Script format, one command per line:
 *   - blank lines and lines starting with `#` are skipped;
 *   - a command is split as redis-cli splits its input (sdssplitargs: blanks separate, "double quotes" with
 *     \n \r \t \xHH escapes, 'single quotes') and sent as a multibulk;
 *   - `@name ` before a command sends it on the connection `name` (connections open on first use; the default
 *     one is `main`); a connection the server closed (QUIT, a protocol error) is opened again by its next line;
 *   - `!raw BYTES` sends BYTES as they are, after the escapes of a double-quoted string (`!raw PING\r\n` is an
 *     inline command, `!raw *1\r\n$x\r\n` a protocol error); `@name !raw …` works too;
 *   - normalisations, before the command, any number: `~int` every integer becomes `:<int>` (CLIENT ID, HELLO's
 *     id, remaining TTLs), `~bulk` every bulk string's content becomes `<bulk>` (TIME, INFO), `~id` stream IDs
 *     (`ms-seq`) inside bulk strings become `<id>`, `~sorted` the items of the top-level array are sorted (KEYS,
 *     PUBSUB CHANNELS: orders Redis leaves to its hash tables).
 * What a line's reply is: after the command the runner sends `PING <sentinel>` on the same connection and takes
 * every reply before the sentinel's (so SUBSCRIBE a b gives two, and Pub/Sub messages delivered to that connection
 * since its last line come first), or everything until the server closed the connection, then `<closed>`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitArgs } from '@esc/serve';
import {
  type RespClient as Client,
  RespClient,
  type RunningServer,
  startEscServe,
  startRedisServer,
} from './serve-harness.js';
import { encodeCommand } from './serve-harness.js';

const SCRIPTS = join(import.meta.dirname, 'scripts');

interface Line {
  number: number;
  text: string;
  connection: string;
  normalise: string[];
  raw: Buffer | null;
  args: Buffer[];
}

function parseScript(text: string): Line[] {
  const lines: Line[] = [];
  text.split('\n').forEach((source, i) => {
    let rest = source.trim();
    if (rest === '' || rest.startsWith('#')) return;
    let connection = 'main';
    const normalise: string[] = [];
    for (;;) {
      const m = /^(@\S+|~\S+)\s+/.exec(rest);
      if (m === null) break;
      if (m[1]!.startsWith('@')) connection = m[1]!.slice(1);
      else normalise.push(m[1]!);
      rest = rest.slice(m[0].length);
    }
    let raw: Buffer | null = null;
    let args: Buffer[] = [];
    if (rest.startsWith('!raw ')) {
      const parsed = splitArgs(Buffer.from(`"${rest.slice(5).replace(/"/g, '\\"')}"`));
      if (parsed === null || parsed.length !== 1) throw new Error(`line ${i + 1}: bad !raw`);
      raw = parsed[0]!;
    } else {
      const parsed = splitArgs(Buffer.from(rest));
      if (parsed === null || parsed.length === 0) throw new Error(`line ${i + 1}: cannot split ${rest}`);
      args = parsed;
    }
    lines.push({ number: i + 1, text: source.trim(), connection, normalise, raw, args });
  });
  return lines;
}

/** Runs a script's lines on one server; one entry per line: its replies, normalised, or `<closed>`. */
async function runScript(port: number, lines: Line[]): Promise<string[]> {
  const connections = new Map<string, Client>();
  const results: string[] = [];
  let sentinel = 0;
  try {
    for (const line of lines) {
      let c = connections.get(line.connection);
      if (c === undefined || c.closed) {
        c = await RespClient.connect(port);
        connections.set(line.connection, c);
      }
      const mark = `sentinel-${++sentinel}`;
      c.write(Buffer.concat([line.raw ?? encodeCommand(line.args), encodeCommand(['PING', mark])]));
      const replies: string[] = [];
      for (;;) {
        const reply = await c.readReply();
        if (reply === null) {
          replies.push('<closed>');
          break;
        }
        if (reply.includes(mark)) break;
        replies.push(normalise(reply, line.normalise));
      }
      results.push(`${line.number}: ${line.text}\n${replies.join('')}`);
    }
  } finally {
    for (const c of connections.values()) c.close();
  }
  return results;
}

interface Node {
  head: string;
  body?: string;
  children?: Node[];
}

function parseReply(text: string, at = 0): [Node, number] {
  const lineEnd = text.indexOf('\r\n', at);
  const head = text.slice(at, lineEnd);
  let pos = lineEnd + 2;
  const type = head[0]!;
  const n = Number(head.slice(1));
  if ('$=!'.includes(type) && n >= 0) return [{ head, body: text.slice(pos, pos + n) }, pos + n + 2];
  if ('*~>%'.includes(type) && n >= 0) {
    const children: Node[] = [];
    for (let i = 0; i < (type === '%' ? 2 * n : n); i++) {
      const [child, next] = parseReply(text, pos);
      children.push(child);
      pos = next;
    }
    return [{ head, children }, pos];
  }
  return [{ head }, pos];
}

function render(node: Node): string {
  if (node.body !== undefined) return `${node.head}\r\n${node.body}\r\n`;
  return `${node.head}\r\n${(node.children ?? []).map(render).join('')}`;
}

function normalise(reply: string, modes: string[]): string {
  if (modes.length === 0) return reply;
  const [root] = parseReply(reply);
  const walk = (node: Node): Node => {
    if (node.children) return { head: node.head, children: node.children.map(walk) };
    if (node.head.startsWith(':') && modes.includes('~int')) return { head: ':<int>' };
    if (node.body !== undefined && modes.includes('~bulk')) return { head: '$<n>', body: '<bulk>' };
    if (node.body !== undefined && modes.includes('~id')) {
      const body = node.body.replace(/\b\d+-\d+\b/g, '<id>');
      return { head: `$${body.length}`, body };
    }
    return node;
  };
  const out = walk(root);
  if (modes.includes('~sorted') && out.children) out.children.sort((a, b) => (render(a) < render(b) ? -1 : 1));
  for (const m of modes)
    if (!['~int', '~bulk', '~id', '~sorted'].includes(m)) throw new Error(`unknown normalisation ${m}`);
  return render(out);
}

const scripts = readdirSync(SCRIPTS)
  .filter((f) => f.endsWith('.redis'))
  .sort();

describe('differential: esc serve answers as redis-server', () => {
  let redis: RunningServer;
  let esc: RunningServer;
  beforeAll(async () => {
    [redis, esc] = await Promise.all([startRedisServer(), startEscServe()]);
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), esc?.stop()]);
  });

  it.each(scripts)('%s', async (name) => {
    const lines = parseScript(readFileSync(join(SCRIPTS, name), 'utf8'));
    expect(lines.length).toBeGreaterThan(0);
    // Every script starts from an empty keyspace on both.
    for (const port of [redis.port, esc.port]) {
      const c = await RespClient.connect(port);
      await c.call('FLUSHDB');
      c.close();
    }
    const [want, got] = [await runScript(redis.port, lines), await runScript(esc.port, lines)];
    expect(got.join('\n')).toEqual(want.join('\n'));
  });
});
