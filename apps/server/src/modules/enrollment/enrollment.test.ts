import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@keepwatch/shared';
import { agentSocket, hello, login, testApp } from '../../testing/test-app';

async function adminPost(app: FastifyInstance, url: string, payload?: object) {
  const token = await login(app);
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload && { payload }),
  });
}

async function newToken(
  app: FastifyInstance,
  ttlSeconds?: number,
  note = 'web-1',
): Promise<string> {
  const res = await adminPost(app, '/api/v1/agents/enrollment-tokens', {
    note,
    ...(ttlSeconds && { ttlSeconds }),
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string }>().token;
}

function enroll(app: FastifyInstance, token: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/agents/enroll',
    payload: { token, hostname: 'web-1.example', name: 'web1', role: 'lb', clusterId: 'lab' },
  });
}

describe('enrollment and agent credentials', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('token → enroll → connect with the credential → listed → revoke closes 4401 and the credential never works again', async () => {
    const token = await newToken(app);
    const res = await enroll(app, token);
    expect(res.statusCode).toBe(200);
    const { agentId, credential } = res.json<{ agentId: string; credential: string }>();
    expect(agentId).toMatch(/^web1-[0-9a-f]{6}$/);
    // Only the digest is stored.
    const stored = JSON.stringify(app.db.prepare('SELECT * FROM agent_credentials').all());
    expect(stored).not.toContain(credential);
    expect(JSON.stringify(app.db.prepare('SELECT * FROM enrollment_tokens').all())).not.toContain(
      token,
    );

    const sock = await agentSocket(app, { agentId, token: credential });
    sock.send(hello({ agentId, token: credential }, 'web1'));
    await sock.next((m) => m['type'] === 'welcome');

    const admin = await login(app);
    const list = await app.inject({
      url: '/api/v1/agents',
      headers: { authorization: `Bearer ${admin}` },
    });
    const agents = list.json<{ agents: Array<Record<string, unknown>> }>().agents;
    expect(agents.find((a) => a['agentId'] === agentId)).toMatchObject({
      online: true,
      enrolled: true,
      revoked: false,
      version: '0.1.0',
      hostname: 'web1',
    });

    expect((await adminPost(app, `/api/v1/agents/${agentId}/revoke`)).statusCode).toBe(200);
    expect(await sock.closed).toEqual({
      code: CloseCode.unauthorized,
      reason: 'agent credential revoked',
    });

    // Refused on the upgrade already: a revoked credential never gets a socket again.
    await expect(agentSocket(app, { agentId, token: credential })).rejects.toThrow(/401/);
    const after = (
      await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${admin}` } })
    ).json<{ agents: Array<Record<string, unknown>> }>();
    expect(after.agents.find((a) => a['agentId'] === agentId)).toMatchObject({
      online: false,
      revoked: true,
    });
  });

  it('refuses a wrong credential for an enrolled id, even with the shared lab token', async () => {
    const { agentId } = (await enroll(app, await newToken(app))).json<{ agentId: string }>();
    // hello() carries the shared AGENT_TOKEN: refused on the upgrade.
    await expect(agentSocket(app, hello({ agentId }, 'web1'))).rejects.toThrow(/401/);
  });

  it('tokens are single-use', async () => {
    const token = await newToken(app);
    const [a, b] = await Promise.all([enroll(app, token), enroll(app, token)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 401]);
    const refused = a.statusCode === 401 ? a : b;
    expect(refused.json<{ message: string }>().message).toContain('already used');
  });

  it('refuses expired, revoked and unknown tokens', async () => {
    await app.close();
    app = await testApp();
    const expiring = await newToken(app, 60);
    const revoked = await newToken(app, undefined, 'to-revoke');
    const admin = await login(app);
    const list = (
      await app.inject({
        url: '/api/v1/agents/enrollment-tokens',
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json<{ tokens: Array<{ id: string; note: string }> }>();
    expect(JSON.stringify(list)).not.toContain(revoked);
    expect(list.tokens).toHaveLength(2);
    const revokedId = list.tokens.find((t) => t.note === 'to-revoke')?.id ?? '';
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/agents/enrollment-tokens/${revokedId}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(del.statusCode).toBe(200);
    expect((await enroll(app, revoked)).json()).toMatchObject({
      message: 'enrollment token revoked',
    });
    expect((await enroll(app, 'kwe_nope')).json()).toMatchObject({
      message: 'unknown enrollment token',
    });
    // Expiry is checked against the store's clock: move the database's view forward.
    app.db
      .prepare('UPDATE enrollment_tokens SET expires_at = ? WHERE revoked_at IS NULL')
      .run(Date.now() - 1);
    const res = await enroll(app, expiring);
    expect(res.statusCode).toBe(401);
    expect(res.json<{ message: string }>().message).toContain('expired');
  });

  it('management routes need a login; enroll does not', async () => {
    expect((await app.inject({ url: '/api/v1/agents' })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/agents/enrollment-tokens', payload: {} }))
        .statusCode,
    ).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/agents/x/revoke' })).statusCode).toBe(
      401,
    );
    expect((await enroll(app, 'kwe_nope')).statusCode).toBe(401);
    expect((await enroll(app, 'kwe_nope')).json()).toMatchObject({ error: 'enrollment_refused' });
  });

  it('only admins manage agents, and enrollments are audited', async () => {
    await app.auth.createUser('vera', 'viewer password 123', 'viewer');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'vera', password: 'viewer password 123' },
    });
    const viewer = res.json<{ token: string }>().token;
    expect(
      (await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${viewer}` } }))
        .statusCode,
    ).toBe(403);
    const { agentId } = (await enroll(app, await newToken(app))).json<{ agentId: string }>();
    await enroll(app, 'kwe_nope');
    const rows = app.db
      .prepare("SELECT action, result, target FROM audit WHERE action LIKE 'agent.%' ORDER BY id")
      .all();
    expect(rows).toEqual([
      {
        action: 'agent.enrollment-token.create',
        result: 'ok',
        target: expect.any(String) as unknown,
      },
      { action: 'agent.enroll', result: 'ok', target: agentId },
      { action: 'agent.enroll', result: 'denied', target: null },
    ]);
  });

  it('revoking a shared-token lab agent bans its id', async () => {
    const sock = await agentSocket(app);
    sock.send(hello());
    await sock.next((m) => m['type'] === 'welcome');
    await adminPost(app, '/api/v1/agents/agent-lb1/revoke');
    expect(await sock.closed).toMatchObject({ code: CloseCode.unauthorized });
    await expect(agentSocket(app)).rejects.toThrow(/401/);
  });

  it('with the shared token turned off, only enrolled agents connect', async () => {
    await app.close();
    app = await testApp({ allowSharedAgentToken: false });
    await expect(agentSocket(app)).rejects.toThrow(/401/);
  });
});
