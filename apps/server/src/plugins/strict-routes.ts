import type { RouteOptions } from 'fastify';
import { openObjectPaths } from '@keepwatch/shared';

/*
 * Every request schema is closed (packages/shared protocol/strict.ts): with Fastify's ajv set
 * to refuse unknown properties (removeAdditional: false) a body, query or path carrying a
 * field the schema does not name gets a 400 naming it, instead of being silently stripped or,
 * for an open schema, passed on to the handler. A route registered with an open request schema
 * fails the server's start-up, so a new route cannot forget it.
 */

export const AJV_OPTIONS = { customOptions: { removeAdditional: false as const } };

// Headers always carry more than a schema names (host, user-agent, …): not checked.
const PARTS = ['body', 'querystring', 'params'] as const;

/** onRoute hook: throws for a request schema that accepts unknown properties. */
export function assertClosedRequestSchemas(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema) return;
  for (const part of PARTS) {
    const s: unknown = schema[part];
    if (s === undefined) continue;
    const open = openObjectPaths(s);
    if (open.length > 0) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(
        `${methods} ${route.url}: ${part} schema accepts unknown properties at ${open.join(', ')}; ` +
          'use Strict() from @keepwatch/shared for request schemas',
      );
    }
  }
}
