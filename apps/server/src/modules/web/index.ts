import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

export interface WebModuleOptions {
  webDist: string;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Keepwatch</title>
<p>The web app is not built. Run <code>pnpm --filter @keepwatch/web build</code> and reload.
The API is at <a href="/api/docs">/api/docs</a>.</p>`;

/**
 * Serves the built web app with SPA fallback. Not encapsulated because it owns the root
 * not-found handler: unknown /api paths get a JSON 404, everything else gets index.html.
 */
export default fp<WebModuleOptions>(
  async (app, opts) => {
    const built = existsSync(join(opts.webDist, 'index.html'));
    if (built) {
      await app.register(fastifyStatic, {
        root: opts.webDist,
        wildcard: false,
        index: 'index.html',
      });
    } else {
      app.get('/', { schema: { hide: true } }, async (_req, reply) =>
        reply.type('text/html').send(NOT_BUILT),
      );
    }
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (request.method !== 'GET' || path.startsWith('/api')) {
        return reply
          .code(404)
          .send({ error: 'not_found', message: `${request.method} ${path} does not exist` });
      }
      if (!built) return reply.code(404).type('text/html').send(NOT_BUILT);
      return reply.sendFile('index.html');
    });
  },
  { name: 'web', fastify: '5.x' },
);
