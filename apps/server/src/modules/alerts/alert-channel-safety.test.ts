import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, testApp } from '../../testing/test-app';
import { MAX_ANSWER_BYTES } from './channels/http-post';
import { startSmtpSink, type SmtpSink } from './test-receivers';

/*
 * Issue 7 item 9, the alert channels' smaller holes: a stored secret does not follow a channel
 * re-pointed elsewhere, webhooks follow no redirect and read a bounded answer, SMTP needs TLS
 * unless the channel says otherwise. Real local receivers, through the REST API.
 */

interface Hits {
  target: number;
  bigBytesSent: number;
}

async function startTrap(hits: Hits): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === '/redirect') {
      res.writeHead(307, { location: '/target' }).end();
    } else if (req.url === '/target') {
      hits.target += 1;
      res.end('{}');
    } else if (req.url === '/big') {
      // An endless answer (bounded here at 64 MiB): the client must stop reading, not buffer it.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (hits.bigBytesSent < 64 * 1024 * 1024) {
          hits.bigBytesSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    } else res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('alert channel safety', () => {
  let app: FastifyInstance;
  let auth: Record<string, string>;
  let trap: { server: Server; url: string };
  let smtp: SmtpSink;
  const hits: Hits = { target: 0, bigBytesSent: 0 };

  beforeAll(async () => {
    [trap, smtp] = await Promise.all([startTrap(hits), startSmtpSink()]);
    app = await testApp();
    auth = { authorization: `Bearer ${await login(app)}` };
  });
  afterAll(async () => {
    await app.close();
    trap.server.closeAllConnections();
    await new Promise((r) => trap.server.close(r));
    await smtp.close();
  });

  const create = async (channel: object) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels',
      headers: auth,
      payload: channel,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number; config: Record<string, unknown> }>();
  };
  const put = (id: number, channel: object) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/alerts/channels/${id}`,
      headers: auth,
      payload: channel,
    });
  const test = async (id: number) =>
    (
      await app.inject({ method: 'POST', url: `/api/v1/alerts/channels/${id}/test`, headers: auth })
    ).json<{ ok: boolean; error?: string }>();

  it("changing a channel's URL or SMTP host requires its secret again; the same destination keeps it", async () => {
    const dd = await create({
      name: 'dd',
      type: 'dingtalk',
      config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=a', secret: 'SEC-1' },
    });
    expect(dd.config['secret']).toBe('********');
    const moved = await put(dd.id, {
      name: 'dd',
      type: 'dingtalk',
      config: { url: 'https://attacker.example/collect', secret: '********' },
    });
    expect(moved.statusCode).toBe(400);
    expect(moved.json()).toEqual({
      error: 'secret_required',
      message: "changing the channel's url needs its secret again: send secret instead of ********",
    });
    // Renaming with the same URL keeps the stored secret.
    expect(
      (
        await put(dd.id, {
          name: 'dd renamed',
          type: 'dingtalk',
          config: {
            url: 'https://oapi.dingtalk.com/robot/send?access_token=a',
            secret: '********',
          },
        })
      ).statusCode,
    ).toBe(200);
    expect((await app.alerts.channels.get(dd.id))?.config['secret']).toBe('SEC-1');
    // A new URL with the secret typed again is fine.
    expect(
      (
        await put(dd.id, {
          name: 'dd',
          type: 'dingtalk',
          config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=b', secret: 'SEC-2' },
        })
      ).statusCode,
    ).toBe(200);

    const hook = await create({
      name: 'hook',
      type: 'webhook',
      config: { url: `${trap.url}/a`, headers: { authorization: 'Bearer s3cret' } },
    });
    const hookMoved = await put(hook.id, {
      name: 'hook',
      type: 'webhook',
      config: { url: 'https://attacker.example/', headers: { authorization: '********' } },
    });
    expect(hookMoved.json()).toMatchObject({ error: 'secret_required' });

    const mail = await create({
      name: 'mail',
      type: 'email',
      config: {
        host: 'smtp.example.com',
        port: 587,
        user: 'kw',
        pass: 'pw',
        from: 'a@b.c',
        to: ['o@b.c'],
      },
    });
    const mailMoved = await put(mail.id, {
      name: 'mail',
      type: 'email',
      config: {
        host: 'smtp.attacker.example',
        port: 587,
        user: 'kw',
        pass: '********',
        from: 'a@b.c',
        to: ['o@b.c'],
      },
    });
    expect(mailMoved.json()).toMatchObject({
      error: 'secret_required',
      message: expect.stringContaining('host') as unknown,
    });
    expect((await app.alerts.channels.get(mail.id))?.config['host']).toBe('smtp.example.com');
  });

  it('the webhook test follows no redirect: a 3xx fails naming its Location, its target is never hit', async () => {
    const hook = await create({
      name: 'redir',
      type: 'webhook',
      config: { url: `${trap.url}/redirect` },
    });
    const result = await test(hook.id);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^HTTP 307 redirect to \/target not followed/);
    expect(hits.target).toBe(0);
  });

  it('an endless webhook answer is read up to the bound, not buffered', async () => {
    const hook = await create({ name: 'big', type: 'webhook', config: { url: `${trap.url}/big` } });
    const result = await test(hook.id);
    expect(result.ok).toBe(true);
    // The receiver stops once the client cancels: far less than its 64 MiB is ever sent.
    expect(hits.bigBytesSent).toBeLessThan(16 * 1024 * 1024);
    expect(hits.bigBytesSent).toBeGreaterThanOrEqual(MAX_ANSWER_BYTES);
  });

  it('SMTP requires TLS unless the channel says otherwise: a server without STARTTLS gets nothing', async () => {
    const mail = await create({
      name: 'plain smtp',
      type: 'email',
      config: {
        host: '127.0.0.1',
        port: smtp.port,
        from: 'kw@example.test',
        to: ['ops@example.test'],
      },
    });
    const result = await test(mail.id);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/STARTTLS/i);
    expect(smtp.mails).toHaveLength(0);
  });
});
