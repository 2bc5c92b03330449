import type { FastifyInstance } from 'fastify';

/** Every (method, path) of the app, rebuilt from printRoutes' tree (children extend parents). */
export function routesOf(app: FastifyInstance): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length;
    while (stack.length && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop();
    const path = (stack.at(-1)?.path ?? '') + (m[2] ?? '');
    stack.push({ depth, path });
    for (const method of (m[3] ?? '').split(', '))
      out.push({ method, path: path.startsWith('/') ? path : `/${path}` });
  }
  return out;
}
