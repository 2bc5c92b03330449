import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './http-probe';
import { Lab } from './index';
import { labNamespaces } from './netns';
import { isAlive } from './procs';
import { waitFor } from './wait';

/*
 * The real lab (root only): prefix kwl / 10.78.0 so it can run beside a demo lab.
 * Failover waits poll the kernel's view with bounded deadlines.
 */

const lab = new Lab({ prefix: 'kwl', subnet: '10.78.0', log: (l) => console.log(`[kwl] ${l}`) });
const seenPids = new Set<number>();

async function rememberPids(): Promise<void> {
  const s = await lab.status();
  for (const h of s.hosts) {
    for (const st of Object.values(h.services)) for (const pid of st.pids) seenPids.add(pid);
    if (h.agent !== undefined) seenPids.add(h.agent);
  }
}

async function holdersBecome(expected: string[], timeoutMs: number): Promise<string[]> {
  return waitFor(
    `VIP holders ${expected.join('+')}`,
    async () => {
      const h = await lab.vipHolders();
      return JSON.stringify(h) === JSON.stringify(expected) ? h : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

describe('lab (kwl)', () => {
  let server: Server | undefined;
  const requests: { url: string | undefined; from: string | undefined }[] = [];

  beforeAll(async () => {
    await lab.up();
  });

  afterAll(async () => {
    server?.close();
    await lab.down();
  });

  it('comes up with the VIP on lb1 and serves Tomcat pages through it', async () => {
    expect(await lab.vipHolders()).toEqual(['lb1']);
    const res = await httpGet(`http://${lab.vips[0]}/`, 2000);
    expect(res?.status).toBe(200);
    expect(res?.body).toMatch(/Hello from web[12]/);
    expect(res?.headers['x-keepwatch-lb']).toBe('lb1');
    const status = await lab.status();
    expect(status.namespaces.every((n) => n.present)).toBe(true);
    expect(status.hosts.find((h) => h.name === 'lb1')?.services.keepalived?.running).toBe(true);
    await rememberPids();
  });

  it('lets a lab host reach a server in the root namespace at <subnet>.1', async () => {
    server = createServer((req, res) => {
      requests.push({ url: req.url, from: req.socket.remoteAddress });
      res.end('hello from the host\n');
    });
    await new Promise<void>((resolve) => server?.listen(0, lab.hostIp, resolve));
    const port = (server.address() as AddressInfo).port;
    const r = await lab.exec('lb1', [
      'curl',
      '-sf',
      '--max-time',
      '3',
      `http://${lab.hostIp}:${port}/x`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello from the host\n');
    expect(requests.at(-1)?.from).toBe('10.78.0.11');
  });

  it('runs an agent command in a host namespace with a valid config, and tracks it', async () => {
    const port = (server?.address() as AddressInfo).port;
    // A stand-in agent: reads its config and calls the server URL from inside lb2.
    const fake = [
      process.execPath,
      '-e',
      `const c=JSON.parse(require('fs').readFileSync(process.argv.at(-1),'utf8'));
       require('http').get(c.server.url.replace(/^ws/,'http')+'/hello?from='+c.node.name,()=>{});
       setInterval(()=>{},1000);`,
      '--',
    ];
    const before = requests.length;
    const pid = await lab.startAgent('lb2', {
      serverUrl: `ws://${lab.hostIp}:${port}`,
      token: 't',
      command: fake,
    });
    await waitFor('the stand-in agent to call home', () => requests.length > before, {
      timeoutMs: 5000,
    });
    expect(requests.at(-1)).toEqual({ url: '/hello?from=lb2', from: '10.78.0.12' });
    expect((await lab.status()).hosts.find((h) => h.name === 'lb2')?.agent).toBe(pid);
    seenPids.add(pid);
  });

  it('moves the VIP to lb2 on a keepalived stop and back on start', async () => {
    const stopped = await lab.service('lb1', 'keepalived', 'stop');
    expect(stopped.running).toBe(false);
    expect(await holdersBecome(['lb2'], 10_000)).toEqual(['lb2']);
    const res = await httpGet(`http://${lab.vips[0]}/healthz`, 2000);
    expect(res?.body).toBe('ok lb2\n');

    const started = await lab.service('lb1', 'keepalived', 'start');
    expect(started.running).toBe(true);
    expect(await holdersBecome(['lb1'], 15_000)).toEqual(['lb1']);
    await rememberPids();
  });

  it('on a keepalived crash (SIGKILL) lb2 takes the VIP; the kernel may keep it on lb1 too', async () => {
    const killed = await lab.service('lb1', 'keepalived', 'kill');
    expect(killed).toEqual({ running: false, pids: [] });
    const holders = await waitFor(
      'lb2 to hold the VIP',
      async () => {
        const h = await lab.vipHolders();
        return h.includes('lb2') ? h : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(holders).toContain('lb2');
  });

  it('down leaves no namespaces, processes or files', async () => {
    await lab.down();
    expect(await labNamespaces('kwl')).toEqual([]);
    expect([...seenPids].filter(isAlive)).toEqual([]);
    expect(existsSync(lab.baseDir)).toBe(false);
    await lab.down(); // idempotent
  });
});
