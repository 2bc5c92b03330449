import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '@keepwatch/lab';
import type { Drill, StatusResponse } from '@keepwatch/shared';
import { until } from './config-lab';
import { drillsApi } from './drills-lab';
import { login } from './stack';

/*
 * The server as its own process on the real lab: kill -9 it mid-drill, the agent undoes the
 * fault by its deadline; after a restart the drill reads `interrupted`. Then a scheduled drill
 * runs inside its window and its result reaches a webhook receiver in this test.
 */
const PREFIX = 'kwds';
const SUBNET = '10.99.0';
const VIP = `${SUBNET}.50`;

let lab: Lab;
let server: ChildProcess | undefined;
let url = '';
let token = '';
const dataDir = mkdtempSync(join(tmpdir(), 'keepwatch-kwds-'));
const adminPassword = randomBytes(12).toString('base64url');
const agentToken = randomBytes(24).toString('base64url');
const port = 18_000 + Math.floor(Math.random() * 1000);
const serverLog: string[] = [];
const figures: string[] = [];
let receiver: Server | undefined;
let receiverUrl = '';
const notices: { event: string; alert: { rule: string; message: string } }[] = [];

function startServer(): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('../../../apps/server/src/server.ts', import.meta.url)),
    ],
    {
      env: {
        ...process.env,
        KEEPWATCH_PORT: String(port),
        KEEPWATCH_HOST: lab.hostIp,
        KEEPWATCH_DATA: dataDir,
        KEEPWATCH_ADMIN_PASSWORD: adminPassword,
        KEEPWATCH_AGENT_TOKEN: agentToken,
        KEEPWATCH_ALLOW_SHARED_AGENT_TOKEN: '1',
        KEEPWATCH_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => serverLog.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => serverLog.push(d.toString()));
  return child;
}

const { api } = drillsApi(() => ({ url, token }));

async function up(): Promise<void> {
  server = startServer();
  token = await until(
    'server answers a login',
    () => login(url, 'admin', adminPassword).catch(() => undefined),
    60_000,
  );
}

async function ready(): Promise<void> {
  await until(
    'every agent online, VIP on lb1 only',
    async () => {
      const s = (await (await api('/status')).json()) as StatusResponse;
      const c = s.clusters.find((x) => x.id === PREFIX);
      const ok =
        c?.nodes.length === 4 &&
        c.nodes.every((n) => n.online && n.clockOffsetMs !== null) &&
        c.vips.find((v) => v.address === VIP)?.holders.join() === 'lb1' &&
        c.nodes.filter((n) => n.role === 'lb').every((n) => n.services.nginx?.healthy === true);
      return ok ? true : undefined;
    },
    60_000,
  );
}

async function running(host: string, svc: 'nginx' | 'keepalived' | 'tomcat'): Promise<boolean> {
  return (await lab.service(host, svc, 'status')).running;
}

describe('drills across a server crash, and a scheduled drill', () => {
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        notices.push(JSON.parse(Buffer.concat(chunks).toString()) as (typeof notices)[number]);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    lab = new Lab({ prefix: PREFIX, subnet: SUBNET, log: () => undefined });
    await lab.up();
    url = `http://${lab.hostIp}:${port}`;
    await up();
    for (const host of lab.hosts)
      await lab.startAgent(host.name, {
        serverUrl: url.replace(/^http/, 'ws'),
        token: agentToken,
        control: ['drills'],
      });
    await ready();
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await lab?.down();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`drills restart lab figures:\n  ${figures.join('\n  ')}`);
  });

  it('RS-1: kill -9 the server mid-drill: the agent restores nginx by the deadline, the drill reads interrupted', async () => {
    const res = await api('/drills', {
      method: 'POST',
      body: JSON.stringify({ clusterId: PREFIX, kind: 'nginx-outage', options: { holdMs: 5000 } }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    let seen: Drill | undefined;
    const faulted = await until(
      'fault applied',
      async () => {
        const d = (await (await api(`/drills/${id}`)).json()) as Drill;
        seen = d;
        return d.report.faultAt !== null && !(await running('lb1', 'nginx')) ? d : undefined;
      },
      20_000,
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}; drill ${seen?.status} ${seen?.phase} ${seen?.error} faultAt ${seen?.report.faultAt}; server log: ${serverLog.join('').slice(-2000)}`,
      );
    });
    server?.kill('SIGKILL');
    await new Promise<void>((resolve) => server?.once('exit', () => resolve()));
    const killedAt = Date.now();
    const faultAt = faulted.report.faultAt ?? killedAt;
    // Deadline: holdMs 5 s + the 20 s dead-man margin after the fault.
    const deadline = faultAt + 25_000;
    expect(await running('lb1', 'nginx')).toBe(false);
    const restoredAt = await until(
      'nginx back on lb1 by the agent',
      async () => ((await running('lb1', 'nginx')) ? Date.now() : undefined),
      45_000,
    );
    figures.push(
      `kill -9 at fault + ${Math.round(killedAt - faultAt)} ms; nginx restored by lb1's agent at fault + ${Math.round(restoredAt - faultAt)} ms (deadline fault + 25000 ms)`,
    );
    // The agent starts the restore at its deadline; the lab CLI then takes a few seconds to start nginx.
    expect(restoredAt).toBeLessThan(deadline + 10_000);
    await up();
    const d = (await (await api(`/drills/${id}`)).json()) as Drill;
    expect(d.status).toBe('interrupted');
    expect(d.error).toContain('agents restored');
    await ready();
  });

  it('SC-1/SC-3: a scheduled drill runs inside its window and its result reaches the webhook', async () => {
    const ch = await api('/alerts/channels', {
      method: 'POST',
      body: JSON.stringify({
        name: 'test receiver',
        type: 'webhook',
        config: { url: receiverUrl },
      }),
    });
    expect(ch.status).toBe(201);
    const at = new Date(Date.now() + 8000);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    const pad = (n: number): string => String(n).padStart(2, '0');
    const from = new Date(Date.now() - 60_000);
    const to = new Date(Date.now() + 30 * 60_000);
    const res = await api('/drills/schedules', {
      method: 'POST',
      body: JSON.stringify({
        clusterId: PREFIX,
        kind: 'keepalived-stop',
        cron,
        timezone: 'UTC',
        window: {
          start: `${pad(from.getUTCHours())}:${pad(from.getUTCMinutes())}`,
          end: `${pad(to.getUTCHours())}:${pad(to.getUTCMinutes())}`,
        },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const notice = await until(
      'the scheduled drill result at the webhook',
      () => Promise.resolve(notices.find((n) => n.event === 'drill')),
      90_000,
    );
    figures.push(`scheduled keepalived-stop: ${notice.alert.rule}: ${notice.alert.message}`);
    expect(notice.alert.rule).toBe('DRILL_PASSED');
    expect(notice.alert.message).toContain('passed');
    const list = (await (await api(`/drills?clusterId=${PREFIX}`)).json()) as {
      drills: { startedBy: string; startedAt: number }[];
    };
    const scheduled = list.drills.find((x) => x.startedBy.startsWith('schedule:'));
    expect(scheduled).toBeDefined();
    expect(Math.abs((scheduled?.startedAt ?? 0) - at.getTime())).toBeLessThan(2000);
  });
});
