import type {
  AlertDingTalkConfig,
  AlertFeishuConfig,
  AlertWeComConfig,
  AlertWebhookConfig,
} from '@keepwatch/shared';
import type { AlertNotice } from '../alert-notice';
import {
  noticeMarkdown,
  noticeText,
  noticeTitle,
  noticeVars,
  renderTemplate,
} from '../message-format';
import { postJson } from './http-post';
import { dingTalkSignedUrl, feishuSign } from './robot-signing';

/** Generic webhook: the notice as JSON, or the admin's template filled with its values. */
export async function sendWebhook(cfg: AlertWebhookConfig, n: AlertNotice): Promise<void> {
  const body = cfg.template
    ? renderTemplate(cfg.template, noticeVars(n))
    : JSON.stringify({ ...n, title: noticeTitle(n), text: noticeText(n) });
  await postJson(cfg.url, body, cfg.headers);
}

/** DingTalk custom robot: markdown; signed when the robot has "加签" (a secret). */
export async function sendDingTalk(
  cfg: AlertDingTalkConfig,
  n: AlertNotice,
  now: number,
): Promise<void> {
  const url = cfg.secret ? dingTalkSignedUrl(cfg.url, cfg.secret, now) : cfg.url;
  const body = {
    msgtype: 'markdown',
    markdown: { title: noticeTitle(n), text: noticeMarkdown(n) },
  };
  await postJson(url, JSON.stringify(body));
}

const WECOM_SEND = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';

/** WeCom (企业微信) group robot: markdown, addressed by its webhook key. */
export async function sendWeCom(cfg: AlertWeComConfig, n: AlertNotice): Promise<void> {
  const base = cfg.url ?? WECOM_SEND;
  if (!cfg.key && !cfg.url) throw new Error('wecom channel needs a key or a url');
  const url = cfg.key
    ? `${base}${base.includes('?') ? '&' : '?'}key=${encodeURIComponent(cfg.key)}`
    : base;
  await postJson(
    url,
    JSON.stringify({ msgtype: 'markdown', markdown: { content: noticeMarkdown(n) } }),
  );
}

/** Feishu (飞书) custom bot: text; timestamp + sign in the body when signing is on. */
export async function sendFeishu(
  cfg: AlertFeishuConfig,
  n: AlertNotice,
  now: number,
): Promise<void> {
  const timestamp = Math.floor(now / 1000);
  const signed = cfg.secret
    ? { timestamp: String(timestamp), sign: feishuSign(cfg.secret, timestamp) }
    : {};
  const body = { ...signed, msg_type: 'text', content: { text: noticeText(n) } };
  await postJson(cfg.url, JSON.stringify(body));
}
