import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, Strict } from '@keepwatch/shared';
import { ADMIN_PASSWORD, agentSocket, hello, login, testApp } from '../testing/test-app';
import { AJV_OPTIONS, assertClosedRequestSchemas } from './strict-routes';

describe('closed request schemas', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await testApp();
  });
  afterEach(() => app.close());

  it('a body with a property the schema does not name is refused with 400, naming it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD, role: 'admin' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/additional properties/);
  });

  it('a query string with an unknown parameter is refused too', async () => {
    const token = await login(app);
    const res = await app.inject({
      url: '/api/v1/audit?limit=5&x=1',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(400);
    const ok = await app.inject({
      url: '/api/v1/audit?limit=5',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('a hello with a junk field is refused with a close reason naming the field', async () => {
    const sock = await agentSocket(app);
    sock.send({ ...hello(), junk: 'x'.repeat(900_000) });
    const closed = await sock.closed;
    expect(closed.code).toBe(CloseCode.badFrame);
    expect(closed.reason).toContain('/junk');
  });
});

describe('route registration', () => {
  it('a route with an open request schema cannot be registered', async () => {
    const bare = Fastify({ ajv: AJV_OPTIONS });
    bare.addHook('onRoute', assertClosedRequestSchemas);
    const body = Strict({ nested: Type.Object({ a: Type.String() }) });
    expect(() => bare.post('/open', { schema: { body } }, () => 'x')).toThrow(
      /POST \/open: body schema accepts unknown properties at \/nested/,
    );
    bare.post('/closed', { schema: { body: Strict({ a: Type.String() }) } }, () => 'x');
    await bare.close();
  });
});
