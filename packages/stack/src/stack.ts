import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Lab } from '@keepwatch/lab';
import { buildApp, loadConfig, type BuildAppOptions } from '@keepwatch/server';
import { LoginResponse, createCodec } from '@keepwatch/shared';
import { LiveWatcher } from './live-watcher';

export interface StackOptions {
  /** Lab name prefix (namespaces are `<prefix>-lb1` …). */
  prefix: string;
  /** First three octets of the lab's /24, e.g. "10.79.0". */
  subnet: string;
  scheme?: 'master-backup' | 'dual-master';
  log?: (line: string) => void;
  /** What each lab agent's own config grants (default: nothing, monitor-only). */
  control?: (host: string) => ('config' | 'drills')[];
  /** Extra options for buildApp (e.g. drill timing in tests). */
  appOptions?: Pick<BuildAppOptions, 'drills'>;
}

export interface Stack {
  lab: Lab;
  app: FastifyInstance;
  /** The server as the lab and the test see it: http://<subnet>.1:<port> */
  url: string;
  adminPassword: string;
  /** Bearer token of a logged-in admin. */
  token: string;
  /** The shared agent token (to start agents again: lab.startAgent(host, {serverUrl, token})). */
  agentToken: string;
  /** The server's data folder (SQLite file keepwatch.db), kept across stopServer/startServer. */
  dataDir: string;
  live: LiveWatcher;
  /** Closes the in-process server (app.close()); the lab and the agents keep running. */
  stopServer(): Promise<void>;
  /** Starts a new server on the same data folder and port; `app` and `live` then refer to it. */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

const loginCodec = createCodec(LoginResponse);

/** Logs in through the public API and returns the bearer token. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
  const body = loginCodec.check(await res.json());
  if (!body.ok) throw new Error(`login response: ${body.error}`);
  return body.value.token;
}

/**
 * Brings up the real lab, the server in this process (an in-memory-free, temporary SQLite
 * database) listening on the lab's host address, and an agent in every lab host. `stop()`
 * undoes all of it, whatever state it is in.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => undefined);
  const lab = new Lab({ prefix: opts.prefix, subnet: opts.subnet, scheme: opts.scheme, log });
  const dataDir = mkdtempSync(join(tmpdir(), `keepwatch-${opts.prefix}-`));
  let app: FastifyInstance | undefined;
  let live: LiveWatcher | undefined;
  const stopServer = async (): Promise<void> => {
    live?.close();
    await app?.close();
    app = undefined;
  };
  const stop = async (): Promise<void> => {
    live?.close();
    await lab.down();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await lab.up();
    const adminPassword = randomBytes(12).toString('base64url');
    const agentToken = randomBytes(24).toString('base64url');
    const config = loadConfig({
      KEEPWATCH_PORT: '0',
      KEEPWATCH_HOST: lab.hostIp,
      KEEPWATCH_DATA: dataDir,
      KEEPWATCH_ADMIN_PASSWORD: adminPassword,
      KEEPWATCH_AGENT_TOKEN: agentToken,
      // Lab agents share one token (off by default: production agents enroll).
      KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    });
    let port = 0;
    const listen = async (): Promise<string> => {
      app = await buildApp({ config, logger: false, ...opts.appOptions });
      await app.listen({ host: lab.hostIp, port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('server has no port');
      port = address.port;
      return `http://${lab.hostIp}:${port}`;
    };
    const url = await listen();
    log(`server listening on ${url}`);
    for (const host of lab.hosts) {
      await lab.startAgent(host.name, {
        serverUrl: url.replace(/^http/, 'ws'),
        token: agentToken,
        ...(opts.control && { control: opts.control(host.name) }),
      });
    }
    const token = await login(url, 'admin', adminPassword);
    live = new LiveWatcher(url, token);
    await live.ready;
    // Tests start from a known state: every lab host's agent connected and reporting.
    const names = lab.hosts.map((h) => h.name);
    await live.waitFor(
      `every agent online (${names.join(', ')})`,
      (s) =>
        names.every((name) =>
          s.clusters.some((c) => c.nodes.some((n) => n.name === name && n.online)),
        ),
      60_000,
    );
    log(`every agent online: ${names.join(', ')}`);
    const startServer = async (): Promise<void> => {
      if (app) throw new Error('server is already running');
      await listen();
      log(`server listening again on ${url}`);
      live = new LiveWatcher(url, token);
      await live.ready;
    };
    const required = <T>(v: T | undefined, what: string): T => {
      if (v === undefined) throw new Error(`${what}: the server is stopped`);
      return v;
    };
    return {
      lab,
      get app() {
        return required(app, 'stack.app');
      },
      url,
      adminPassword,
      token,
      agentToken,
      dataDir,
      get live() {
        return required(live, 'stack.live');
      },
      stopServer,
      startServer,
      stop,
    };
  } catch (err) {
    await stop().catch((e: unknown) => log(`cleanup after failed start: ${String(e)}`));
    throw err;
  }
}
