import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { VIP, agent, hello, login, snapshot, testConfig } from '../../testing/test-app';

/* The host, readiness and availability routes on the real app with two lab-like agents. */

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const observed = (seq: number, content: string, ts: number) => ({
  type: 'config.observed',
  seq,
  ts,
  config: {
    component: 'nginx',
    path: '/etc/nginx/nginx.conf',
    hash: sha(content),
    content,
    checkedAt: ts,
  },
});

describe('insight routes', () => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let clock = 1_700_000_000_000;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      now: () => clock,
    });
    await app.ready();
    auth = { authorization: `Bearer ${await login(app)}` };
  });
  afterEach(() => app.close());
  const get = (url: string) => app.inject({ url: `/api/v1${url}`, headers: auth });

  async function lab() {
    const lb1 = await agent(
      app,
      hello(
        { facts: { hostname: 'lb1', agentVersion: '0.1.0', os: 'Debian 12', kernel: '6.1.0' } },
        'lb1',
      ),
    );
    const lb2 = await agent(app, hello({}, 'lb2'));
    lb1.send(snapshot(1, 'MASTER', true, clock - 3_600_000));
    lb2.send(snapshot(1, 'BACKUP', false, clock - 3_600_000));
    await expect.poll(() => app.clusterStore.cluster('lab')?.vips[0]?.holders).toEqual(['lb1']);
    return { lb1, lb2 };
  }

  it('availability: an hour known, the VIP held all along -> 1 over 24 h (time before is unknown)', async () => {
    const { lb1, lb2 } = await lab();
    await expect
      .poll(
        async () =>
          (await get('/clusters/lab/availability')).json<{
            vips: { windows: { knownMs: number }[] }[];
          }>().vips[0]?.windows[0]?.knownMs,
      )
      .toBe(3_600_000);
    const body = (await get('/clusters/lab/availability')).json<{
      vips: {
        address: string;
        windows: { range: string; availability: number; downMs: number }[];
      }[];
    }>();
    expect(body.vips[0]?.address).toBe(VIP);
    expect(body.vips[0]?.windows.map((w) => [w.range, w.availability, w.downMs])).toEqual([
      ['24h', 1, 0],
      ['7d', 1, 0],
      ['30d', 1, 0],
    ]);
    lb1.send({
      type: 'vip.change',
      seq: 2,
      ts: clock - 60_000,
      action: 'remove',
      address: { address: VIP, prefix: 24, interface: 'eth0' },
    });
    lb2.send({
      type: 'vip.change',
      seq: 2,
      ts: clock - 50_000,
      action: 'add',
      address: { address: VIP, prefix: 24, interface: 'eth0' },
    });
    await expect
      .poll(
        async () =>
          (await get('/clusters/lab/availability')).json<{
            vips: { windows: { downMs: number }[] }[];
          }>().vips[0]?.windows[0]?.downMs,
      )
      .toBe(10_000);
    expect((await get('/clusters/nope/availability')).statusCode).toBe(404);
  });

  it('every insight route answers an unknown cluster or host with the same 404 body', async () => {
    await lab();
    for (const [url, what] of [
      ['/clusters/nope/availability', 'cluster nope'],
      ['/clusters/nope/readiness', 'cluster nope'],
      ['/hosts/lab/nobody', 'host lab/nobody'],
      ['/hosts/nope/lb1', 'host nope/lb1'],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found', message: `no ${what}` });
    }
  });

  it('readiness: the pair lb1 -> lb2, with the last drill "never" while no failover drill has passed', async () => {
    await lab();
    const body = (await get('/clusters/lab/readiness')).json<{
      pairs: {
        master: string;
        backup: string;
        ready: boolean;
        checks: { id: string; ok: boolean | null }[];
      }[];
      lastDrill: unknown;
    }>();
    expect(body.lastDrill).toBeNull();
    expect(body.pairs[0]).toMatchObject({ master: 'lb1', backup: 'lb2', ready: false });
    const checks = Object.fromEntries(body.pairs[0]!.checks.map((c) => [c.id, c.ok]));
    expect(checks).toMatchObject({
      'backup-healthy': true,
      'drill-recent': false,
      'config-same': null,
    });
  });

  it('readiness: the last passed failover drill from the drills module, recent enough', async () => {
    await lab();
    app.db
      .prepare(
        `INSERT INTO drills (id, cluster_id, kind, status, phase, options, report, started_by, started_at)
         VALUES ('d1', 'lab', 'nginx-outage', 'passed', 'done', '{}', '{}', 'admin', ?)`,
      )
      .run(clock - 86_400_000);
    const body = (await get('/clusters/lab/readiness')).json<{
      pairs: { checks: { id: string; ok: boolean | null }[] }[];
      lastDrill: unknown;
    }>();
    expect(body.lastDrill).toEqual({ id: 'd1', at: clock - 86_400_000 });
    const checks = Object.fromEntries(body.pairs[0]!.checks.map((c) => [c.id, c.ok]));
    expect(checks['drill-recent']).toBe(true);
  });

  it('host: facts from the hello, online, and 404 for an unknown host', async () => {
    await lab();
    const res = await get('/hosts/lab/lb1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      node: 'lb1',
      online: true,
      facts: { os: 'Debian 12', kernel: '6.1.0', agentVersion: '0.1.0' },
      footprint: null,
    });
    expect((await get('/hosts/lab/nobody')).statusCode).toBe(404);
  });

  it('host configs: the newest observation of each component (history, newest first); readiness compares them', async () => {
    const { lb1, lb2 } = await lab();
    lb1.send(observed(2, 'http { server { listen 80; } }\n', clock - 2000));
    lb1.send(observed(3, 'http { server { listen 8080; } }\n', clock - 1000));
    lb2.send(observed(2, 'http { server { listen 80; } }\n', clock - 1500));
    const nginx = async (node: string) =>
      (await get(`/hosts/lab/${node}`))
        .json<{ configs: { component: string; sha256: string | null; observedAt: number }[] }>()
        .configs.filter((c) => c.component === 'nginx');
    await expect
      .poll(() => nginx('lb1'))
      .toEqual([
        expect.objectContaining({
          sha256: sha('http { server { listen 8080; } }\n'),
          observedAt: clock - 1000,
        }),
      ]);
    await expect
      .poll(async () => (await nginx('lb2'))[0]?.sha256)
      .toBe(sha('http { server { listen 80; } }\n'));
    const body = (await get('/clusters/lab/readiness')).json<{
      pairs: { checks: { id: string; ok: boolean | null; args: Record<string, unknown> }[] }[];
    }>();
    const same = body.pairs[0]?.checks.find((c) => c.id === 'config-same');
    expect(same?.ok).toBe(false);
    // Compared as nginx structure: both nodes' live files were read (app.repos.config).
    expect(same?.args['compared']).toBe('structure');
  });
});
