import { createHmac } from 'node:crypto';

/*
 * The two robot signing schemes. Both sign "<timestamp>\n<secret>" with HMAC-SHA256, but
 * they use it differently, per the vendors' docs:
 *   DingTalk: key = secret, message = that string; timestamp in ms; sent in the URL.
 *   Feishu:   key = that string, message = ""; timestamp in s; sent in the body.
 */

export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The webhook URL with `&timestamp=..&sign=..` appended (sign URL-encoded). */
export function dingTalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = encodeURIComponent(dingTalkSign(secret, timestampMs));
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${sign}`;
}

export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}
