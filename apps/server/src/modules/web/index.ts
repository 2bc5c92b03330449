import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { markRoutesPublic } from '../../plugins/access-guard';
import { isUpgrade } from '../../plugins/route-access';

export interface WebModuleOptions {
  webDist: string;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Keepwatch</title>
<p>The web app is not built. Run <code>pnpm --filter @keepwatch/web build</code> and reload.
The API is at <a href="/api/docs">/api/docs</a>.</p>`;

/**
 * True for a path the dashboard's own router may own: plain segments of unreserved
 * characters, no percent-encoding, semicolons, empty or dot segments, and nothing the server
 * itself owns (/api…, /metrics in any case). Everything else that matched no route is a 404,
 * so a mangled spelling of an API path never gets a 200 page back.
 */
export function isAppPath(path: string): boolean {
  if (!/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/.test(path)) return false;
  if (path.split('/').some((seg) => seg === '.' || seg === '..')) return false;
  const lower = path.toLowerCase();
  return !lower.startsWith('/api') && !lower.startsWith('/metrics');
}

/**
 * Serves the built web app with SPA fallback. Not encapsulated because it owns the root
 * not-found handler: unknown API paths get a JSON 404, dashboard paths get index.html.
 */
export default fp<WebModuleOptions>(
  async (app, opts) => {
    const index = join(opts.webDist, 'index.html');
    const built = existsSync(index);
    await app.register(async (web) => {
      // The app's files are public: the dashboard logs in through the API.
      markRoutesPublic(web);
      if (built) {
        await web.register(fastifyStatic, {
          root: opts.webDist,
          wildcard: false,
          index: 'index.html',
        });
      } else {
        web.get('/', { schema: { hide: true } }, async (_req, reply) =>
          reply.type('text/html').send(NOT_BUILT),
        );
      }
    });
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (request.method !== 'GET' || isUpgrade(request.headers) || !isAppPath(path)) {
        return reply
          .code(404)
          .send({ error: 'not_found', message: `${request.method} ${path} does not exist` });
      }
      if (!built) return reply.code(404).type('text/html').send(NOT_BUILT);
      return reply.type('text/html; charset=utf-8').send(createReadStream(index));
    });
  },
  { name: 'web', fastify: '5.x' },
);
