import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const ROUTES = new Set(['/', '/assets/:name', '/favicon.ico']);

/** The dashboard's own routes (a route pattern, as fastify names it): static files, public even with a password. */
export function isDashboardRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && ROUTES.has(routeUrl);
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Where `pnpm build` put the dashboard (dashboard/build.mjs → dist/dashboard/): beside this module's compiled
 * file, beside the package's entry when esc runs from the CLI's bundle, or in dist/ when tests run the sources.
 */
function findDashboardDir(): string | null {
  const candidates = [
    fileURLToPath(new URL('./dashboard/', import.meta.url)),
    fileURLToPath(new URL('../dist/dashboard/', import.meta.url)),
  ];
  try {
    candidates.push(join(dirname(createRequire(import.meta.url).resolve('@esc/http')), 'dashboard'));
  } catch {
    // Not resolvable from here (running inside the package itself): the first two cover it.
  }
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

function load(path: string): Asset {
  const body = readFileSync(path);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { body, type: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', etag };
}

/**
 * GET / (the dashboard page) and GET /assets/NAME (its script, styles and uPlot), read into memory once. The
 * assets' names carry a hash of their content, so browsers keep them for a year; the page is revalidated on
 * every load (ETag, 304).
 */
export function registerDashboardRoutes(app: FastifyInstance, dir: string | null = findDashboardDir()): void {
  if (dir === null) {
    app.log.warn('dashboard not built (no dist/dashboard): GET / answers 503; run pnpm build');
    app.get('/', async (_req, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('esc: the dashboard is not built (pnpm build)\n'),
    );
    return;
  }
  const page = load(join(dir, 'index.html'));
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(join(dir, 'assets'))) assets.set(name, load(join(dir, 'assets', name)));

  const send = (req: FastifyRequest, reply: FastifyReply, asset: Asset, cache: string) => {
    reply.header('cache-control', cache).header('etag', asset.etag).header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  };
  app.get('/', async (req, reply) =>
    send(req, reply.header('content-security-policy', "default-src 'self'"), page, 'no-cache'),
  );
  // Browsers ask for it on their own; an empty answer, cached, keeps the console clean.
  app.get('/favicon.ico', async (_req, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const asset = assets.get(req.params.name);
    if (asset === undefined) return reply.code(404).send({ error: `no asset ${req.params.name}` });
    return send(req, reply, asset, 'public, max-age=31536000, immutable');
  });
}
