import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { login, testConfig } from '../../testing/test-app';
import {
  startHttpReceiver,
  startSmtpSink,
  type HttpReceiver,
  type SmtpSink,
} from './test-receivers';

/* Every channel type against a real local receiver, through POST /alerts/channels/:id/test. */

describe('alert channels', () => {
  let app: FastifyInstance;
  let http: HttpReceiver;
  let smtp: SmtpSink;
  let auth: Record<string, string>;

  beforeAll(async () => {
    [http, smtp] = await Promise.all([startHttpReceiver(), startSmtpSink()]);
    app = await buildApp({
      config: testConfig(),
      dbPath: ':memory:',
      logger: false,
      alerts: { startupGraceMs: 0, holdMs: 0 },
    });
    await app.ready();
    auth = { authorization: `Bearer ${await login(app)}` };
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([http.close(), smtp.close()]);
  });

  async function addAndTest(
    channel: object,
  ): Promise<{ id: number; result: { ok: boolean; error?: string } }> {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels',
      headers: auth,
      payload: channel,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: number }>().id;
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/channels/${id}/test`,
      headers: auth,
    });
    return { id, result: res.json() };
  }

  it('webhook: JSON body by default, a {{template}} and custom headers when configured', async () => {
    const plain = await addAndTest({
      name: 'hook',
      type: 'webhook',
      config: { url: `${http.url}/plain` },
    });
    expect(plain.result).toMatchObject({ ok: true });
    const got = await http.waitFor((c) => c.path === '/plain');
    expect(got.json).toMatchObject({
      event: 'test',
      alert: { rule: 'TEST', cluster: 'keepwatch' },
    });
    expect((got.json as { text: string }).text).toContain('Cluster 集群: keepwatch');

    const templated = await addAndTest({
      name: 'tpl',
      type: 'webhook',
      config: {
        url: `${http.url}/tpl`,
        headers: { 'x-api-key': 'k1' },
        template: '{"summary":"{{rule}} on {{cluster}}","detail":"{{message}}"}',
      },
    });
    expect(templated.result.ok).toBe(true);
    const tpl = await http.waitFor((c) => c.path === '/tpl');
    expect(tpl.headers['x-api-key']).toBe('k1');
    expect(tpl.json).toEqual({
      summary: 'TEST on keepwatch',
      detail: expect.stringContaining('"tpl"') as unknown,
    });
  });

  it('DingTalk: markdown, timestamp and HMAC-SHA256(secret, ts\\nsecret) sign in the URL', async () => {
    const secret = 'SECdingtalk';
    const { result } = await addAndTest({
      name: 'dd',
      type: 'dingtalk',
      config: { url: `${http.url}/robot/send?access_token=abc`, secret },
    });
    expect(result.ok).toBe(true);
    const got = await http.waitFor((c) => c.path === '/robot/send');
    const ts = got.query.get('timestamp') ?? '';
    const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    expect(got.query.get('access_token')).toBe('abc');
    expect(got.query.get('sign')).toBe(expected);
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(60_000);
    expect(got.json).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: expect.stringContaining('TEST') as unknown },
    });
  });

  it('WeCom: markdown content addressed by the webhook key', async () => {
    const { result } = await addAndTest({
      name: 'wc',
      type: 'wecom',
      config: { url: `${http.url}/cgi-bin/webhook/send`, key: 'wk-1' },
    });
    expect(result.ok).toBe(true);
    const got = await http.waitFor((c) => c.path === '/cgi-bin/webhook/send');
    expect(got.query.get('key')).toBe('wk-1');
    expect(got.json).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('Rule 规则') as unknown },
    });
  });

  it('Feishu: text, timestamp (s) and sign = HMAC-SHA256(key ts\\nsecret, "") in the body', async () => {
    const secret = 'feishu-secret';
    const { result } = await addAndTest({
      name: 'fs',
      type: 'feishu',
      config: { url: `${http.url}/open-apis/bot/v2/hook/x`, secret },
    });
    expect(result.ok).toBe(true);
    const got = await http.waitFor((c) => c.path === '/open-apis/bot/v2/hook/x');
    const body = got.json as {
      timestamp: string;
      sign: string;
      msg_type: string;
      content: { text: string };
    };
    expect(body.sign).toBe(
      createHmac('sha256', `${body.timestamp}\n${secret}`).update('').digest('base64'),
    );
    expect(Math.abs(Number(body.timestamp) * 1000 - Date.now())).toBeLessThan(60_000);
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toContain('Message 详情');
  });

  it('email over SMTP (STARTTLS off) reaches the sink', async () => {
    const { result } = await addAndTest({
      name: 'mail',
      type: 'email',
      config: {
        host: '127.0.0.1',
        port: smtp.port,
        starttls: 'off',
        from: 'keepwatch@example.test',
        to: ['ops@example.test'],
      },
    });
    expect(result).toMatchObject({ ok: true });
    const mail = await smtp.waitFor((m) => m.data.includes('TEST'));
    expect(mail.data).toContain('Subject:');
    expect(smtp.mails[0]?.to).toEqual(['ops@example.test']);
  });

  it('reports a robot error code and an unreachable receiver as failed deliveries', async () => {
    http.answer = '{"errcode":310000,"errmsg":"sign not match"}';
    const bad = await addAndTest({
      name: 'dd-bad',
      type: 'dingtalk',
      config: { url: `${http.url}/robot/bad` },
    });
    http.answer = '{"errcode":0}';
    expect(bad.result).toMatchObject({ ok: false, error: 'errcode 310000: sign not match' });
    const down = await addAndTest({
      name: 'down',
      type: 'webhook',
      config: { url: 'http://127.0.0.1:1/' },
    });
    expect(down.result.ok).toBe(false);
  });

  it('masks secrets on read and keeps them when "********" is sent back', async () => {
    const { id } = await addAndTest({
      name: 'dd2',
      type: 'dingtalk',
      config: { url: `${http.url}/robot/send2`, secret: 'S2' },
    });
    const list = (await app.inject({ url: '/api/v1/alerts/channels', headers: auth })).json<
      { id: number; config: { secret?: string } }[]
    >();
    expect(list.find((c) => c.id === id)?.config.secret).toBe('********');
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/alerts/channels/${id}`,
      headers: auth,
      payload: {
        name: 'dd2',
        type: 'dingtalk',
        config: { url: `${http.url}/robot/send2`, secret: '********' },
      },
    });
    expect(put.statusCode).toBe(200);
    await app.inject({ method: 'POST', url: `/api/v1/alerts/channels/${id}/test`, headers: auth });
    const got = await http.waitFor((c) => c.path === '/robot/send2');
    const ts = got.query.get('timestamp') ?? '';
    expect(got.query.get('sign')).toBe(
      createHmac('sha256', 'S2').update(`${ts}\nS2`).digest('base64'),
    );
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/alerts/channels/${id}`, headers: auth }))
        .statusCode,
    ).toBe(204);
  });

  it('writes every channel change and test to the audit log, without secrets', async () => {
    type Page = { entries: { action: string; target?: string }[] };
    const audit = async (): Promise<Page['entries']> =>
      (await app.inject({ url: '/api/v1/audit?limit=200', headers: auth })).json<Page>().entries;
    const before = (await audit()).length;
    const { id } = await addAndTest({
      name: 'audited',
      type: 'dingtalk',
      config: { url: `${http.url}/robot/send?access_token=T`, secret: 'SECRET-XYZ' },
    });
    await app.inject({ method: 'DELETE', url: `/api/v1/alerts/channels/${id}`, headers: auth });
    const after = await audit();
    // Newest first: the entries this test caused are the first (after - before).
    const added = after.slice(0, after.length - before);
    expect(added.map((e) => `${e.action} ${e.target ?? ''}`).sort()).toEqual([
      `alerts.channel.create channel:${id}`,
      `alerts.channel.delete channel:${id}`,
      `alerts.channel.test channel:${id}`,
    ]);
    expect(JSON.stringify(after)).not.toContain('SECRET-XYZ');
  });

  it('needs a login and validates the config per type', async () => {
    expect((await app.inject({ url: '/api/v1/alerts/channels' })).statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/channels',
      headers: auth,
      payload: { name: 'x', type: 'email', config: { host: 'h' } },
    });
    expect(res.statusCode).toBe(400);
  });
});
