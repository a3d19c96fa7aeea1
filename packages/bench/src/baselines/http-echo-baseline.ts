import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

/**
 * The anchor of the http bench: fastify answering POST /ingest as esc does (JSON parsed, each event checked
 * for its fields, an id made, LogStream's reply) but storing nothing, indexing nothing. What esc's figure is
 * divided by is the framework's own cost on this machine at that moment: the share esc's storage, index and
 * durability take. Run as a child process: prints its URL on stdout.
 */
function check(e: { level?: unknown; message?: unknown; service?: unknown }): string {
  if (typeof e.level !== 'string' || typeof e.message !== 'string' || typeof e.service !== 'string')
    throw new Error('bad event');
  return randomUUID();
}

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
app.post('/ingest', async (req) => {
  const text = req.body as string;
  if (req.headers['content-type'] === 'application/x-ndjson') {
    const ids = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => check(JSON.parse(l)));
    return { status: 'accepted', count: ids.length, ids };
  }
  return { status: 'accepted', id: check(JSON.parse(text)) };
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
