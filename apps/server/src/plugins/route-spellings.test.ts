import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathSpellings } from '../testing/path-spellings';
import { rawClient, upgradeStatus, type RawClient } from '../testing/raw-http';
import { routesOf } from '../testing/route-list';
import { testApp } from '../testing/test-app';

/*
 * Must-show of issue 7: every route the router has, asked for without credentials under
 * every alternative spelling of its path, over real HTTP and as a WebSocket upgrade: never
 * a 2xx, never an upgraded socket. The routes come from the app (its onRoute table, checked
 * against the router's own printRoutes), not from a list in this file.
 */

// The routes anyone may call; adding one is a security decision.
const PUBLIC: RegExp[] = [
  /^POST \/api\/v1\/auth\/login$/,
  /^POST \/api\/v1\/agents\/enroll$/,
  /^(GET|HEAD) \/api\/v1\/agent-dist\//,
  /^(GET|HEAD) \/api\/docs(\/|$)/,
  // The built web app's files (this test serves a fake build).
  /^(GET|HEAD) \/(index\.html|assets\/app\.js)?$/,
];

const WEBSOCKETS = ['/api/v1/agent/ws', '/api/v1/live'];

interface Target {
  method: string;
  url: string;
  path: string;
  websocket: boolean;
}

const concrete = (url: string): string => url.replace(/:\w+/g, 'x1').replace(/\*$/, 'x');
const is2xx = (status: number): boolean => status >= 200 && status < 300;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('every route, every spelling, no credentials (issue 7 must-show)', () => {
  let app: FastifyInstance;
  let port = 0;
  let http: RawClient;
  let webDist = '';
  let targets: Target[] = [];

  beforeAll(async () => {
    webDist = mkdtempSync(join(tmpdir(), 'kw-spellings-web-'));
    writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>app</title>');
    mkdirSync(join(webDist, 'assets'));
    writeFileSync(join(webDist, 'assets', 'app.js'), 'console.log(1)');
    app = await testApp({ webDist });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
    http = rawClient(port);
    const all = app.routeTable.flatMap((r) =>
      r.methods.map((method) => ({
        method,
        url: r.url,
        path: concrete(r.url),
        websocket: r.config.websocket === true,
        public: r.config.public === true,
      })),
    );
    const publicOnes = all.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    for (const r of publicOnes)
      expect(
        PUBLIC.some((p) => p.test(r)),
        r,
      ).toBe(true);
    targets = all.filter((r) => !r.public);
  });
  afterAll(async () => {
    http.close();
    await app.close();
    rmSync(webDist, { recursive: true, force: true });
  });

  it('knows every route of the router (nothing registered around the guard)', () => {
    const table = new Set(app.routeTable.flatMap((r) => r.methods.map((m) => `${m} ${r.url}`)));
    const router = routesOf(app).map((r) => `${r.method} ${r.path}`);
    expect(router.length).toBeGreaterThan(40);
    // printRoutes quirks: a prefix's "/" twin is one onRoute call (same options), and a
    // wildcard is printed without its static parent ("/api/docs/*" for "/api/docs/static/*").
    const known = (r: string): boolean =>
      table.has(r) ||
      (r.endsWith('/') && (table.has(r.slice(0, -1)) || table.has(r.replace(/^GET/, 'HEAD')))) ||
      (r.endsWith('*') && [...table].some((t) => t.endsWith('*') && t.startsWith(r.slice(0, -1))));
    expect(router.filter((r) => !known(r))).toEqual([]);
    expect(targets.map((t) => `${t.method} ${t.url}`)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/users',
        'POST /api/v1/users',
        'GET /api/v1/agent/ws',
        'GET /api/v1/live',
        'GET /metrics',
      ]),
    );
    expect(targets.filter((t) => t.websocket).map((t) => t.url)).toEqual(
      expect.arrayContaining(WEBSOCKETS),
    );
  });

  it('HTTP: no spelling of any guarded route answers 2xx; the plain spelling answers 401', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const t of targets) {
      const body = t.method === 'GET' || t.method === 'HEAD' ? undefined : '{}';
      const plain = await http.send(t.method, t.path, {}, body);
      if (plain.status !== 401) failures.push(`${t.method} ${t.path} → ${plain.status} (want 401)`);
      await inBatches(pathSpellings(t.path), 4, async (path) => {
        const res = await http.send(t.method, path, {}, body);
        sent++;
        if (is2xx(res.status)) failures.push(`${t.method} ${path} → ${res.status} ${res.body}`);
      });
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(3000);
  });

  it('absolute-form request targets are guarded the same', async () => {
    for (const t of targets.filter((x) => x.method === 'GET')) {
      const res = await http.send('GET', `http://127.0.0.1:${port}${t.path}`);
      expect(`${t.path} → ${res.status}`).toBe(`${t.path} → 401`);
    }
  });

  it('WebSocket: no spelling of either socket upgrades without a credential', async () => {
    const upgraded: string[] = [];
    for (const url of WEBSOCKETS) {
      expect(await upgradeStatus(port, url)).toBe(401);
      await inBatches(pathSpellings(url), 8, async (path) => {
        const status = await upgradeStatus(port, path);
        if (status === 101 || is2xx(status)) upgraded.push(`${path} → ${status}`);
      });
    }
    expect(upgraded).toEqual([]);
  });

  it('WebSocket: no other route upgrades either, public or not', async () => {
    const upgraded: string[] = [];
    const gets = app.routeTable.filter((r) => r.methods.includes('GET'));
    await inBatches(gets, 8, async (r) => {
      for (const path of [concrete(r.url), `${concrete(r.url)}/`, concrete(r.url).toUpperCase()]) {
        const status = await upgradeStatus(port, path);
        if (status === 101 || is2xx(status)) upgraded.push(`${path} → ${status}`);
      }
    });
    expect(upgraded).toEqual([]);
  });
});
