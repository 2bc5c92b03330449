import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ClusterConfigResponse } from '@keepwatch/shared';
import { agent, hello, login, snapshot, testApp } from '../../testing/test-app';

/* The read side of the config API against the real app and fake agents on the real socket. */

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const KA =
  'vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress { 10.77.0.50/24 }\n}\n';

function observed(seq: number, component: 'keepalived' | 'nginx', content: string, ts = 2000) {
  return {
    type: 'config.observed',
    seq,
    ts,
    config: {
      component,
      path: `/etc/${component}/${component}.conf`,
      hash: sha(content),
      content,
      checkedAt: ts,
    },
  };
}

describe('config routes (read side)', () => {
  let app: FastifyInstance;
  let auth: { authorization: string };
  beforeEach(async () => {
    app = await testApp();
    auth = { authorization: `Bearer ${await login(app)}` };
  });
  afterEach(async () => {
    await app.close();
  });

  it('GET /clusters/:id/config lists the live files the agents observe, never pushed', async () => {
    const lb1 = await agent(app);
    lb1.send(snapshot(1, 'MASTER', true));
    lb1.send(observed(2, 'keepalived', KA));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    const res = await app.inject({ url: '/api/v1/clusters/lab/config', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json<ClusterConfigResponse>();
    expect(body.hosts).toEqual([
      {
        host: 'lb1',
        online: true,
        role: 'master',
        files: [
          {
            component: 'keepalived',
            path: '/etc/keepalived/keepalived.conf',
            sha256: sha(KA),
            content: KA,
            observedAt: 2000,
            drift: { state: 'never_pushed', liveSha256: sha(KA), observedAt: 2000 },
          },
        ],
      },
    ]);
    expect(body.drifted).toBe(false);
    lb1.ws.close();
  });

  it('analyze lays the changes over the live files and words findings in both languages', async () => {
    const lb1 = await agent(app);
    lb1.send(observed(1, 'keepalived', KA));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    const lb2 = await agent(app, hello({}, 'lb2'));
    lb2.send(observed(1, 'keepalived', KA.replace('10.77.0.50', '10.77.0.60')));
    await lb2.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/clusters/lab/config/analyze',
      headers: auth,
      payload: { changes: [] },
    });
    expect(res.statusCode).toBe(200);
    const findings = res.json<{ findings: { id: string; message: { en: string } }[] }>().findings;
    expect(findings.map((f) => f.id)).toContain('CM-4');
    lb1.ws.close();
    lb2.ws.close();
  });

  it('VR-1 across clusters: a VRID another cluster uses on the same network is a finding', async () => {
    const lb1 = await agent(app);
    lb1.send(observed(1, 'keepalived', KA));
    await lb1.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    const shopHello = (name: string) => {
      const h = hello({}, name);
      return {
        ...h,
        agentId: `agent-shop-${name}`,
        node: { ...h.node, cluster: { id: 'shop', name: 'Shop' } },
      };
    };
    const shop = await agent(app, shopHello('web1'));
    // Same VRID, VIP in the same /24: their adverts would mix on that segment.
    shop.send(observed(1, 'keepalived', KA.replace('10.77.0.50', '10.77.0.60')));
    await shop.next((m) => m['type'] === 'ack' && m['seq'] === 1);
    const vr1 = async (cluster: string) => {
      const body = (
        await app.inject({ url: `/api/v1/clusters/${cluster}/config`, headers: auth })
      ).json<ClusterConfigResponse>();
      return body.findings.filter((f) => f.id === 'VR-1');
    };
    // The page analyses drafts against the same neighbours.
    const labConfig = (
      await app.inject({ url: '/api/v1/clusters/lab/config', headers: auth })
    ).json<ClusterConfigResponse>();
    expect(labConfig.neighbours).toEqual([
      {
        cluster: 'shop',
        node: 'web1',
        instance: 'VI_1',
        vrid: 51,
        vips: [{ address: '10.77.0.60', prefix: 24 }],
      },
    ]);
    const [mine] = await vr1('lab');
    expect(mine?.severity).toBe('critical');
    expect(mine?.message.en).toMatch(/virtual_router_id 51, like VI_1 of cluster shop \(web1\)/);
    expect(mine?.message['zh-CN']).toMatch(/集群 shop 的 VI_1（web1）/);
    expect((await vr1('shop')).map((f) => f.message.en)).toEqual([
      expect.stringMatching(/like VI_1 of cluster lab \(lb1\)/),
    ]);
    // A draft is analysed against the neighbours too: another VRID clears it.
    const analyze = await app.inject({
      method: 'POST',
      url: '/api/v1/clusters/lab/config/analyze',
      headers: auth,
      payload: {
        changes: [
          {
            host: 'lb1',
            component: 'keepalived',
            content: KA.replace('router_id 51', 'router_id 52'),
          },
        ],
      },
    });
    expect(analyze.json<ClusterConfigResponse>().findings.map((f) => f.id)).not.toContain('VR-1');
    // Another network: no collision.
    shop.send(observed(2, 'keepalived', KA.replace('10.77.0.50', '10.78.0.50')));
    await shop.next((m) => m['type'] === 'ack' && m['seq'] === 2);
    expect(await vr1('lab')).toEqual([]);
    lb1.ws.close();
    shop.ws.close();
  });

  it('404 for an unknown cluster; unknown body properties are refused', async () => {
    const res = await app.inject({ url: '/api/v1/clusters/nope/config', headers: auth });
    expect(res.statusCode).toBe(404);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/clusters/lab/config/analyze',
      headers: auth,
      payload: { changes: [], junk: 1 },
    });
    expect(bad.statusCode).toBe(400);
  });
});
