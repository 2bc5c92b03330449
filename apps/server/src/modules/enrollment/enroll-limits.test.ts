import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { login, testApp } from '../../testing/test-app';
import { ENROLL_LIMITS } from './enroll-limits';

/* Issue 7 item 9: failed enroll attempts are rate-limited and their audit rows bounded. */

const guess = (app: FastifyInstance, remoteAddress: string, token = 'kwe_not-a-real-token') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/agents/enroll',
    remoteAddress,
    payload: { token, hostname: 'h.example', name: 'web9', role: 'backend', clusterId: 'lab' },
  });

async function deniedEnrollRows(app: FastifyInstance, bearer: string) {
  const res = await app.inject({
    url: '/api/v1/audit?limit=500',
    headers: { authorization: `Bearer ${bearer}` },
  });
  return res
    .json<{ entries: { action: string; result: string; detail: Record<string, unknown> }[] }>()
    .entries.filter((e) => e.action === 'agent.enroll' && e.result === 'denied');
}

describe('enroll limits', () => {
  let app: FastifyInstance;
  let admin = '';
  beforeEach(async () => {
    app = await testApp();
    admin = await login(app);
  });
  afterEach(() => app.close());

  it('10 refused enrollments per address in 15 min, then 429 with Retry-After; other addresses unaffected', async () => {
    const { max } = ENROLL_LIMITS.perIp;
    for (let i = 0; i < max; i++) expect((await guess(app, '192.0.2.7')).statusCode).toBe(401);
    const limited = await guess(app, '192.0.2.7');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'too_many_attempts' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await guess(app, '192.0.2.8')).statusCode).toBe(401);
    // The 429s leave no audit rows: one address cannot grow the table past its 10.
    for (let i = 0; i < 20; i++) await guess(app, '192.0.2.7');
    const rows = await deniedEnrollRows(app, admin);
    expect(rows.filter((r) => r.detail['reason'] === 'unknown')).toHaveLength(max + 1);
  });

  it('refusals from many addresses write at most 100 audit rows a window, the last one saying so', async () => {
    for (let i = 0; i < 150; i++) {
      const res = await guess(app, `198.51.100.${i + 1}`);
      expect(res.statusCode).toBe(401);
    }
    const rows = await deniedEnrollRows(app, admin);
    expect(rows).toHaveLength(ENROLL_LIMITS.audit.max);
    expect(rows[0]?.detail).toMatchObject({ reason: 'audit_budget' });
    expect(String(rows[0]?.detail['message'])).toMatch(/^100 refused enrollments in this window/);
  });
});
