import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, type AgentHello, type StatusResponse } from '@keepwatch/shared';
import { buildApp } from '../../app';
import {
  agentHeaders,
  agentSocket,
  connect,
  hello,
  login,
  snapshot,
  testApp,
  testConfig,
  type TestSocket,
} from '../../testing/test-app';
import { SHARED_TOKEN_OFF } from './verify-agent-credential';

/* The node-binding rules (node-binding.ts ID-1..ID-5) over the real app and agent socket. */

interface Enrolled {
  agentId: string;
  credential: string;
}

async function enroll(
  app: FastifyInstance,
  body: { name: string; role: 'lb' | 'backend'; clusterId?: string },
): Promise<{ status: number; body: Enrolled & { message?: string; error?: string } }> {
  const admin = await login(app);
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/agents/enrollment-tokens',
    headers: { authorization: `Bearer ${admin}` },
    payload: {},
  });
  const { token } = created.json<{ token: string }>();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/agents/enroll',
    payload: { token, hostname: `${body.name}.example`, clusterId: 'lab', ...body },
  });
  return { status: res.statusCode, body: res.json() };
}

/** Says hello; resolves with the welcome, or with how the socket closed. */
async function sayHello(app: FastifyInstance, h: AgentHello): Promise<TestSocket> {
  const sock = await agentSocket(app, h);
  sock.send(h);
  await Promise.race([sock.next((m) => m['type'] === 'welcome'), sock.closed]);
  return sock;
}

const asNode = (e: Enrolled, name: string, role: 'lb' | 'backend' = 'lb'): AgentHello =>
  hello({ agentId: e.agentId, token: e.credential }, name, role);

async function status(app: FastifyInstance): Promise<StatusResponse> {
  const token = await login(app);
  const res = await app.inject({
    url: '/api/v1/status',
    headers: { authorization: `Bearer ${token}` },
  });
  return res.json<StatusResponse>();
}

describe('an enrolled credential is one node', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await buildApp({
      config: testConfig({ allowSharedAgentToken: false }),
      dbPath: ':memory:',
      logger: false,
    });
    await app.ready();
  });
  afterEach(() => app.close());

  it("ID-1: a backend's credential saying hello as lb1 is refused, and the real lb1 stays", async () => {
    const lb1 = (await enroll(app, { name: 'lb1', role: 'lb' })).body;
    const web1 = (await enroll(app, { name: 'web1', role: 'backend' })).body;
    const real = await sayHello(app, asNode(lb1, 'lb1'));
    real.send(snapshot(1, 'MASTER', true));
    await real.next((m) => m['type'] === 'ack');
    real.ws.terminate();
    await real.closed;

    // The real lb1 is offline now: the moment dropOfflineNamesakes used to hand its node over.
    const forged = await sayHello(app, asNode(web1, 'lb1'));
    expect(await forged.closed).toEqual({
      code: CloseCode.identity,
      reason:
        'credential is enrolled as web1 (backend) of cluster lab, hello says lb1 (lb) of cluster lab',
    });
    const nodes = (await status(app)).clusters.find((c) => c.id === 'lab')?.nodes ?? [];
    expect(nodes.map((n) => n.name)).toEqual(['lb1']);
    expect(nodes[0]?.vrrp[0]?.state).toBe('MASTER');
    const rows = app.db.prepare("SELECT agent_id FROM agents WHERE node_name = 'lb1'").all();
    expect(rows).toEqual([{ agent_id: lb1.agentId }]);

    // Changing the role or the cluster is the same refusal.
    const asBackend = await sayHello(app, asNode(lb1, 'lb1', 'backend'));
    expect((await asBackend.closed).code).toBe(CloseCode.identity);
    // And the real one still gets in.
    const back = await sayHello(app, asNode(lb1, 'lb1'));
    expect(back.messages.some((m) => m['type'] === 'welcome')).toBe(true);
  });

  it('the shared token is refused by default (and says why), on the upgrade and in a hello', async () => {
    await expect(agentSocket(app)).rejects.toThrow(/401/);
    const res = await app.inject({ url: '/api/v1/agent/ws', headers: agentHeaders() });
    expect(res.json()).toMatchObject({ error: 'unauthorized', message: SHARED_TOKEN_OFF });
    expect(await app.agentCredentials.admit(hello())).toEqual({
      ok: false,
      code: CloseCode.unauthorized,
      reason: SHARED_TOKEN_OFF,
    });
  });

  it('ID-2: a node held by a live credential cannot be enrolled again until it is revoked', async () => {
    const first = await enroll(app, { name: 'lb1', role: 'lb' });
    expect(first.status).toBe(200);
    const second = await enroll(app, { name: 'lb1', role: 'backend' });
    expect(second.status).toBe(409);
    expect(second.body.message).toContain(`already enrolled as agent ${first.body.agentId}`);
    const admin = await login(app);
    await app.inject({
      method: 'POST',
      url: `/api/v1/agents/${first.body.agentId}/revoke`,
      headers: { authorization: `Bearer ${admin}` },
    });
    const third = await enroll(app, { name: 'lb1', role: 'lb' });
    expect(third.status).toBe(200);
    // The replacement takes the node over in the status picture.
    const sock = await sayHello(app, asNode(third.body, 'lb1'));
    expect(sock.messages.some((m) => m['type'] === 'welcome')).toBe(true);
  });

  it('defaults the binding like `keepwatch-agent enroll` does: first hostname label, cluster "default"', async () => {
    const admin = await login(app);
    const { token } = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/agents/enrollment-tokens',
        headers: { authorization: `Bearer ${admin}` },
        payload: {},
      })
    ).json<{ token: string }>();
    const e = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/agents/enroll',
        payload: { token, hostname: 'web7.dc1.example' },
      })
    ).json<Enrolled>();
    const h = hello({ agentId: e.agentId, token: e.credential }, 'web7', 'lb');
    const ok = await sayHello(app, {
      ...h,
      node: { ...h.node, cluster: { id: 'default', name: 'x' } },
    });
    expect(ok.messages.some((m) => m['type'] === 'welcome')).toBe(true);
  });

  it('ID-5: a credential enrolled before bindings is bound by its first hello', async () => {
    const e = (await enroll(app, { name: 'lb2', role: 'lb' })).body;
    app.db
      .prepare('UPDATE agent_credentials SET node_name = NULL, cluster_id = NULL, role = NULL')
      .run();
    const first = await sayHello(app, asNode(e, 'lb2'));
    expect(first.messages.some((m) => m['type'] === 'welcome')).toBe(true);
    first.ws.terminate();
    await first.closed;
    const other = await sayHello(app, asNode(e, 'lb1'));
    expect((await other.closed).code).toBe(CloseCode.identity);
  });

  it('the hello must carry the credential its upgrade request carried', async () => {
    const a = (await enroll(app, { name: 'lb1', role: 'lb' })).body;
    const b = (await enroll(app, { name: 'lb2', role: 'lb' })).body;
    const sock = await connect(
      app,
      '/api/v1/agent/ws',
      agentHeaders({ agentId: a.agentId, token: a.credential }),
    );
    sock.send({ ...asNode(a, 'lb1'), token: b.credential });
    expect(await sock.closed).toEqual({
      code: CloseCode.unauthorized,
      reason: 'hello carries another credential than the upgrade request',
    });
  });
});

describe('with the shared lab token on', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('ID-3: a shared-token hello cannot take a node an enrolled credential holds', async () => {
    const lb1 = (await enroll(app, { name: 'lb1', role: 'lb' })).body;
    const sock = await sayHello(app, hello({ agentId: 'intruder' }, 'lb1'));
    expect(await sock.closed).toEqual({
      code: CloseCode.identity,
      reason: `node lb1 (lb) of cluster lab is enrolled as agent ${lb1.agentId}`,
    });
  });

  it('ID-4: a second agent naming a node that is connected is refused; the first stays online', async () => {
    const first = await sayHello(app, hello({ agentId: 'lab-lb1' }, 'lb1'));
    const second = await sayHello(app, hello({ agentId: 'other-lb1' }, 'lb1'));
    expect(await second.closed).toEqual({
      code: CloseCode.identity,
      reason: 'node lb1 of cluster lab is connected as agent lab-lb1',
    });
    expect(first.ws.readyState).toBe(first.ws.OPEN);
    const node = (await status(app)).clusters[0]?.nodes.find((n) => n.name === 'lb1');
    expect(node?.online).toBe(true);
  });
});
