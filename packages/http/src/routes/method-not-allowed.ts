import type { FastifyInstance, HTTPMethods } from 'fastify';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** Answers the methods a route does not take with 405 and an Allow header, as LogStream did, not 404. */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const allow = allowed.includes('GET') ? [...allowed, 'HEAD' as const] : allowed;
  const others = METHODS.filter((m) => !allow.includes(m));
  app.route({
    method: others,
    url,
    handler: async (req, reply) =>
      reply
        .code(405)
        .header('allow', allow.join(', '))
        .send({ error: `method ${req.method} not allowed on ${url} (allowed: ${allow.join(', ')})` }),
  });
}
