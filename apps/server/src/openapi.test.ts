import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './testing/test-app';

/*
 * The OpenAPI document is the REST contract: every /api/v1 operation must say what it is
 * (summary + tag), what it takes (params/querystring/body schemas) and what it answers on
 * success. Route list from the router itself, so a route missing from the document fails too.
 */

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type OpenApiDoc = { paths: Record<string, Record<string, Operation>> };

/** WebSocket upgrades: @fastify/websocket hides them from the document; their protocol is in packages/shared. */
const WEBSOCKET_ROUTES = ['GET /api/v1/agent/ws', 'GET /api/v1/live'];
/** File downloads (not JSON): documented with summary + tag, no 2xx body schema. */
const FILE_DOWNLOADS = [
  'GET /api/v1/agent-dist/install.sh',
  'GET /api/v1/agent-dist/keepwatch-agent',
  'GET /api/v1/agent-dist/keepwatch-agent.mjs',
  'GET /api/v1/drills/{id}/report.md',
  'GET /api/v1/drills/{id}/report.html',
];
/** Success without a body. */
const NO_CONTENT = ['DELETE /api/v1/alerts/channels/{id}', 'DELETE /api/v1/drills/schedules/{id}'];

/**
 * "METHOD /path" of every route in printRoutes' tree (HEAD left out: Fastify adds it to each
 * GET). A line's path is its parent's path plus its own segment; depth is indent / 4.
 */
export function routesOfTree(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ├└─]*)(\S+)(?: \(([^)]*)\))?\s*$/u.exec(line);
    if (!m?.[2]) continue;
    const depth = (m[1] ?? '').length / 4;
    const path = (depth > 0 ? (stack[depth - 1] ?? '') : '') + m[2];
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(', ')) {
      if (method && method !== 'HEAD') out.push(`${method} ${path}`);
    }
  }
  return out;
}

const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document (/api/docs/json)', () => {
  let app: FastifyInstance;
  let doc: OpenApiDoc;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    app = await testApp();
    const res = await app.inject({ url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.json<OpenApiDoc>();
    operations = new Map();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops))
        operations.set(`${method.toUpperCase()} ${path}`, op);
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('reads the route tree (parser check)', () => {
    const tree = [
      '└── / (GET, HEAD)',
      '    ├── api/v1/a (POST)',
      '    │   └── /:id (DELETE)',
      '    └── b (GET, HEAD)',
    ];
    expect(routesOfTree(tree.join('\n'))).toEqual([
      'GET /',
      'POST /api/v1/a',
      'DELETE /api/v1/a/:id',
      'GET /b',
    ]);
  });

  it('lists every /api/v1 route except the WebSocket upgrades', () => {
    const routes = routesOfTree(app.printRoutes({ commonPrefix: false }))
      .filter((r) => r.split(' ')[1]?.startsWith('/api/v1/'))
      .map((r) => {
        const [method = '', path = ''] = r.split(' ');
        return `${method} ${toOpenApiPath(path)}`;
      });
    expect(routes.length).toBeGreaterThan(25);
    for (const ws of WEBSOCKET_ROUTES) expect(routes).toContain(ws);
    const undocumented = routes.filter((r) => !operations.has(r) && !WEBSOCKET_ROUTES.includes(r));
    expect(undocumented).toEqual([]);
    const stale = [...operations.keys()].filter(
      (o) => o.includes('/api/v1/') && !routes.includes(o),
    );
    expect(stale).toEqual([]);
  });

  it('gives every /api/v1 operation a summary and a tag', () => {
    const missing = [...operations]
      .filter(([key]) => key.includes(' /api/v1/'))
      .filter(([, op]) => !op.summary || !op.tags?.length)
      .map(([key]) => key);
    expect(missing).toEqual([]);
  });

  it('declares a 2xx response schema for every /api/v1 operation but the listed exceptions', () => {
    const missing: string[] = [];
    for (const [key, op] of operations) {
      if (!key.includes(' /api/v1/') || FILE_DOWNLOADS.includes(key)) continue;
      const success = Object.entries(op.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      const ok = NO_CONTENT.includes(key)
        ? success.some(([code]) => code === '204')
        : success.some(([, r]) => r.content?.['application/json']?.schema !== undefined);
      if (!ok) missing.push(key);
    }
    expect(missing).toEqual([]);
    // The exceptions are real routes, so the lists cannot go stale silently.
    for (const key of [...FILE_DOWNLOADS, ...NO_CONTENT])
      expect(operations.has(key), key).toBe(true);
  });

  it('declares params for every path parameter, and a body schema on POST/PUT/PATCH that take one', () => {
    const problems: string[] = [];
    for (const [key, op] of operations) {
      if (!key.includes(' /api/v1/')) continue;
      const names = [...key.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      for (const name of names)
        if (name && !declared.includes(name)) problems.push(`${key}: path ${name}`);
    }
    expect(problems).toEqual([]);
    const bodies = [...operations]
      .filter(([, op]) => op.requestBody !== undefined)
      .map(([key]) => key);
    // Routes that read request.body; a new one must be added here with its schema.
    expect(bodies.sort()).toEqual(
      [
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/password',
        'POST /api/v1/tokens',
        'POST /api/v1/users',
        'PATCH /api/v1/users/{username}',
        'POST /api/v1/agents/enrollment-tokens',
        'POST /api/v1/agents/enroll',
        'POST /api/v1/alerts/channels',
        'PUT /api/v1/alerts/channels/{id}',
        'POST /api/v1/maintenance',
        'POST /api/v1/drills',
        'POST /api/v1/drills/preflight',
        'POST /api/v1/clusters/{id}/config/analyze',
        'POST /api/v1/clusters/{id}/config/render',
        'POST /api/v1/clusters/{id}/config/push',
        'POST /api/v1/changesets/{id}/rollback',
        'POST /api/v1/drills/schedules',
        'PUT /api/v1/drills/schedules/{id}',
      ].sort(),
    );
  });

  it('documents 4xx answers with the ApiError shape', () => {
    const bad: string[] = [];
    for (const [key, op] of operations) {
      if (!key.includes(' /api/v1/')) continue;
      for (const [code, r] of Object.entries(op.responses ?? {})) {
        if (!/^4\d\d$/.test(code)) continue;
        const schema = r.content?.['application/json']?.schema as
          { required?: string[] } | undefined;
        if (!schema?.required?.includes('error') || !schema.required.includes('message'))
          bad.push(`${key} ${code}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
