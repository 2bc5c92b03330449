import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, loadConfig } from '@keepwatch/server';
import { AgentSnapshot, parseAgentConfig, type AgentDataMessage } from '@keepwatch/shared';
import type { ExecFn } from './exec';
import { startAgent, type RunningAgent } from './agent';
import { silentLogger } from './log';

/*
 * Issue 7 item 4: a host with more than the protocol allows in one snapshot (2,000
 * addresses, 300 upstream servers) used to be refused at every welcome (the server closes
 * the socket on a frame its schema refuses), so it never connected. Real server (buildApp,
 * SQLite file), real agent in-process; the addresses come from `ip -j -4 addr` output made
 * here, the upstreams from an nginx.conf with 300 servers (closed ports on 127.0.0.1).
 */

const ADDRESSES = 2000;
const UPSTREAMS = 300;
const addrLimit = AgentSnapshot.properties.addresses.maxItems ?? 0;
const upstreamLimit = AgentSnapshot.properties.upstreams.maxItems ?? 0;

/** `ip -j -4 addr` of a host with `ADDRESSES` addresses on eth0 (10.92.0.0/15). */
function ipJson(): string {
  const addr_info = Array.from({ length: ADDRESSES }, (_, i) => ({
    family: 'inet',
    local: `10.${92 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${(i % 256) + 1}`,
    prefixlen: 15,
    scope: 'global',
    label: 'eth0',
    valid_life_time: 4294967295,
    preferred_life_time: 4294967295,
  }));
  return JSON.stringify([
    { ifindex: 2, ifname: 'eth0', flags: ['UP'], mtu: 1500, operstate: 'UP', addr_info },
  ]);
}

const fakeExec: ExecFn = (argv) => {
  const out = (stdout: string, stderr = '') =>
    Promise.resolve({ code: 0, signal: null, stdout, stderr, durationMs: 1 });
  if (argv[0] === 'ip') return out(ipJson());
  if (argv[1] === '-v') return out('', 'nginx version: nginx/1.22.1\n');
  return out('');
};

describe('an agent whose host exceeds the snapshot limits (real server)', () => {
  let dir: string;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let agent: RunningAgent | undefined;
  let port = 0;
  const seen: AgentDataMessage[] = [];
  const waiters = new Set<() => void>();

  const startServer = async (): Promise<void> => {
    const config = loadConfig({
      KEEPWATCH_PORT: '0',
      KEEPWATCH_HOST: '127.0.0.1',
      KEEPWATCH_DATA: dir,
      KEEPWATCH_ADMIN_PASSWORD: 'correct horse battery',
      KEEPWATCH_AGENT_TOKEN: 'limits-test-token',
      KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
    });
    app = await buildApp({ config, logger: false });
    app.bus.on('agent.data', (e) => {
      seen.push(e.message);
      for (const w of waiters) w();
    });
    await app.listen({ host: '127.0.0.1', port });
    port = (app.server.address() as AddressInfo).port;
  };
  /** Resolves with the first message (seen or to come) matching pred. */
  const waitFor = (pred: (m: AgentDataMessage) => boolean, ms = 15_000) =>
    new Promise<AgentDataMessage>((resolve, reject) => {
      const check = (): void => {
        const hit = seen.find(pred);
        if (!hit) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching message within ${ms} ms (${seen.length} seen)`));
      }, ms);
      waiters.add(check);
      check();
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kwag-limits-'));
    seen.length = 0;
  });
  afterEach(async () => {
    await agent?.stop();
    await app?.close();
    agent = undefined;
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects and reports: lists cut to the schema limits, the snapshot says what it cut', async () => {
    await startServer();
    const servers = Array.from(
      { length: UPSTREAMS },
      (_, i) => `    server 127.0.0.1:${20001 + i};`,
    );
    const nginxConf = join(dir, 'nginx.conf');
    writeFileSync(nginxConf, `http {\n  upstream pool {\n${servers.join('\n')}\n  }\n}\n`);
    const cfg = parseAgentConfig({
      agentId: 'lb1',
      node: { name: 'lb1', role: 'lb', cluster: { id: 'big', name: 'Big' } },
      server: { url: `ws://127.0.0.1:${port}`, token: 'limits-test-token' },
      stateDir: join(dir, 'state'),
      nginx: {
        configFile: nginxConf,
        probe: { url: 'http://127.0.0.1:1/', intervalMs: 500, timeoutMs: 100 },
      },
    });
    if (!cfg.ok) throw new Error(cfg.error);
    agent = await startAgent(cfg.value, { log: silentLogger, exec: fakeExec });

    const first = await waitFor((m) => m.type === 'snapshot');
    if (first.type !== 'snapshot') throw new Error('unreachable');
    expect(first.addresses).toHaveLength(addrLimit);
    expect(first.capped).toContainEqual({ path: '/addresses', total: ADDRESSES });
    // It stays connected and goes on reporting: every upstream server's first result.
    await waitFor(
      () =>
        new Set(seen.flatMap((m) => (m.type === 'upstream.health' ? [m.upstream.server] : [])))
          .size === UPSTREAMS,
    );
    // A new welcome (server restart on the same database) gets a snapshot with all of it.
    await app?.close();
    seen.length = 0;
    await startServer();
    const again = await waitFor((m) => m.type === 'snapshot' && (m.upstreams?.length ?? 0) > 0);
    if (again.type !== 'snapshot') throw new Error('unreachable');
    expect(again.upstreams).toHaveLength(upstreamLimit);
    expect(again.addresses).toHaveLength(addrLimit);
    expect(again.capped).toEqual([
      { path: '/addresses', total: ADDRESSES },
      { path: '/upstreams', total: UPSTREAMS },
    ]);
    // What the operator sees: the node is online, with its kernel view.
    const login = await app?.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { host: `127.0.0.1:${port}` },
      payload: { username: 'admin', password: 'correct horse battery' },
    });
    const token = login?.json<{ token: string }>().token ?? '';
    const status = await app?.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` },
    });
    const cluster = status
      ?.json<{ clusters: { id: string; nodes: { name: string; online: boolean }[] }[] }>()
      .clusters.find((c) => c.id === 'big');
    expect(cluster?.nodes).toMatchObject([{ name: 'lb1', online: true }]);
  });
});
