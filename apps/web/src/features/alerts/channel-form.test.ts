import type { AlertChannel } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import {
  draftFromChannel,
  draftToInput,
  emptyDraft,
  MASK,
  parseHeaders,
  parseRecipients,
  validateDraft,
} from './channel-form';

const stored = (type: string, config: Record<string, unknown>): AlertChannel => ({
  id: 7,
  name: 'ops',
  type,
  enabled: true,
  config,
  createdAt: 1,
  updatedAt: 2,
});

describe('draftToInput', () => {
  it('dingtalk: url + secret; an empty secret is left out, not sent as ""', () => {
    const d = {
      ...emptyDraft('dingtalk'),
      name: ' ops ',
      url: ' https://oapi.dingtalk.com/robot/send?access_token=x ',
      secret: 'SEC1',
    };
    expect(draftToInput(d)).toEqual({
      name: 'ops',
      enabled: true,
      type: 'dingtalk',
      config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=x', secret: 'SEC1' },
    });
    expect(draftToInput({ ...d, secret: '' }).config).toEqual({
      url: 'https://oapi.dingtalk.com/robot/send?access_token=x',
    });
  });

  it('sends masked secrets back unchanged so the server keeps them (feishu, wecom, email, webhook headers)', () => {
    const feishu = draftFromChannel(
      stored('feishu', { url: 'https://open.feishu.cn/hook/x', secret: MASK }),
    );
    expect(draftToInput(feishu).config).toEqual({
      url: 'https://open.feishu.cn/hook/x',
      secret: MASK,
    });
    const wecom = draftFromChannel(stored('wecom', { key: MASK }));
    expect(draftToInput(wecom)).toMatchObject({ type: 'wecom', config: { key: MASK } });
    const email = draftFromChannel(
      stored('email', {
        host: 'smtp.x',
        port: 465,
        secure: true,
        user: 'u',
        pass: MASK,
        from: 'kw@x.cn',
        to: ['a@x.cn', 'b@x.cn'],
      }),
    );
    expect(draftToInput(email).config).toEqual({
      host: 'smtp.x',
      port: 465,
      secure: true,
      starttls: 'opportunistic',
      user: 'u',
      pass: MASK,
      from: 'kw@x.cn',
      to: ['a@x.cn', 'b@x.cn'],
    });
    const hook = draftFromChannel(
      stored('webhook', {
        url: 'https://h.example/a',
        headers: { Authorization: MASK, 'X-A': MASK },
      }),
    );
    expect(hook.headers).toBe(`Authorization: ${MASK}\nX-A: ${MASK}`);
    expect(draftToInput(hook).config).toEqual({
      url: 'https://h.example/a',
      headers: { Authorization: MASK, 'X-A': MASK },
    });
  });

  it('webhook: headers and template only when given; enabled flag passes through', () => {
    const d = { ...emptyDraft('webhook'), name: 'w', enabled: false, url: 'http://127.0.0.1:9/x' };
    expect(draftToInput(d)).toEqual({
      name: 'w',
      enabled: false,
      type: 'webhook',
      config: { url: 'http://127.0.0.1:9/x' },
    });
    const tpl = '{"text":"{{message}}"}';
    expect(draftToInput({ ...d, headers: 'X-Token: abc:def\n\n', template: tpl }).config).toEqual({
      url: 'http://127.0.0.1:9/x',
      headers: { 'X-Token': 'abc:def' },
      template: tpl,
    });
  });

  it('email: port as a number, recipients split on commas, semicolons and new lines', () => {
    const d = {
      ...emptyDraft('email'),
      name: 'm',
      host: 'smtp.example.com',
      port: '25',
      starttls: 'off' as const,
      from: 'Keepwatch <kw@example.com>',
      to: 'a@x.cn; b@x.cn,\nc@x.cn',
    };
    expect(draftToInput(d).config).toEqual({
      host: 'smtp.example.com',
      port: 25,
      secure: false,
      starttls: 'off',
      from: 'Keepwatch <kw@example.com>',
      to: ['a@x.cn', 'b@x.cn', 'c@x.cn'],
    });
  });
});

describe('draftFromChannel', () => {
  it('round-trips a stored channel through the form', () => {
    const c = stored('dingtalk', {
      url: 'https://oapi.dingtalk.com/robot/send?access_token=x',
      secret: MASK,
    });
    expect(draftToInput(draftFromChannel(c))).toEqual({
      name: 'ops',
      enabled: true,
      type: 'dingtalk',
      config: c.config,
    });
  });
});

describe('validateDraft', () => {
  it('accepts a complete draft', () => {
    expect(
      validateDraft({ ...emptyDraft('feishu'), name: 'f', url: 'https://open.feishu.cn/x' }),
    ).toEqual({});
  });
  it('names the missing and malformed fields', () => {
    expect(validateDraft(emptyDraft('dingtalk'))).toEqual({ name: 'required', url: 'required' });
    expect(
      validateDraft({
        ...emptyDraft('webhook'),
        name: 'w',
        url: 'ftp://x.example',
        headers: 'no colon',
      }),
    ).toEqual({ url: 'url', headers: 'headers' });
    expect(validateDraft({ ...emptyDraft('wecom'), name: 'w' })).toEqual({ key: 'wecomTarget' });
    expect(validateDraft({ ...emptyDraft('wecom'), name: 'w', key: MASK })).toEqual({});
    expect(
      validateDraft({
        ...emptyDraft('email'),
        name: 'e',
        port: '70000',
        host: 'h',
        from: 'nobody',
        to: 'a@x.cn, oops',
      }),
    ).toEqual({
      port: 'port',
      from: 'email',
      to: 'email',
    });
    expect(
      validateDraft({ ...emptyDraft('email'), name: 'e', host: 'h', from: 'kw@x.cn' }),
    ).toEqual({ to: 'required' });
  });
});

describe('parsers', () => {
  it('parseHeaders rejects a line without a name', () => {
    expect(parseHeaders(': v')).toBeNull();
    expect(parseHeaders('A: 1\nB:2')).toEqual({ A: '1', B: '2' });
  });
  it('parseRecipients drops empties', () => {
    expect(parseRecipients(' a@x , ,b@y ')).toEqual(['a@x', 'b@y']);
  });
});
