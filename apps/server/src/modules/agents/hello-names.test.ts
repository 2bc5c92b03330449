import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@keepwatch/shared';
import { AGENT_TOKEN, agent, agentSocket, hello, login, testApp } from '../../testing/test-app';
import { hasForbiddenChars, helloNameProblem } from './hello-names';

const XSS = '<img src=x onerror=alert(1)>';

describe('names in an agent hello', () => {
  it('flags control characters and bidi overrides, not HTML or non-Latin text', () => {
    expect(hasForbiddenChars(XSS)).toBe(false);
    expect(hasForbiddenChars('负载均衡-1')).toBe(false);
    for (const bad of [
      'lb1\n2026 fake log line',
      'lb\u001b[31m',
      'lb\u0000',
      'lb\u0085',
      'lb\u202egnp.exe',
      'a\u2028b',
    ]) {
      expect(hasForbiddenChars(bad)).toBe(true);
    }
    const h = hello();
    expect(helloNameProblem(h)).toBeNull();
    expect(helloNameProblem({ ...h, facts: { ...h.facts, hostname: 'x\r\ny' } })).toBe(
      'hostname contains control characters',
    );
  });

  describe('over the socket', () => {
    let app: FastifyInstance;
    beforeEach(async () => {
      app = await testApp();
    });
    afterEach(() => app.close());

    it('accepts HTML in a node name and returns it from REST as plain JSON string data', async () => {
      const h = hello({ agentId: 'agent-xss' }, XSS);
      const sock = await agent(app, { ...h, facts: { ...h.facts, hostname: XSS } });
      const status = await app.inject({
        url: '/api/v1/status',
        headers: { authorization: `Bearer ${await login(app)}` },
      });
      expect(status.headers['content-type']).toMatch(/^application\/json/);
      const names = status
        .json<{ clusters: { nodes: { name: string }[] }[] }>()
        .clusters.flatMap((c) => c.nodes.map((n) => n.name));
      expect(names).toContain(XSS);
      sock.ws.terminate();
    });

    it('refuses a hello whose node name carries control characters', async () => {
      const sock = await agentSocket(app, { agentId: 'agent-esc', token: AGENT_TOKEN });
      sock.send(hello({ agentId: 'agent-esc' }, 'lb1\u001b[2J'));
      const closed = await sock.closed;
      expect(closed).toEqual({
        code: CloseCode.badFrame,
        reason: 'node name contains control characters',
      });
      expect(sock.messages.find((m) => m['type'] === 'welcome')).toBeUndefined();
    });
  });
});
