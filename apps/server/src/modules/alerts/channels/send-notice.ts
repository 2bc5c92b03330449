import { Value } from '@sinclair/typebox/value';
import {
  AlertDingTalkConfig,
  AlertEmailConfig,
  AlertFeishuConfig,
  AlertWeComConfig,
  AlertWebhookConfig,
} from '@keepwatch/shared';
import type { AlertNotice } from '../alert-notice';
import { sendEmail } from './email-channel';
import { sendDingTalk, sendFeishu, sendWeCom, sendWebhook } from './robot-channels';

export interface ChannelRow {
  type: string;
  /** The stored JSON config (validated again here: the row may predate a schema change). */
  config: unknown;
}

function checked<T>(schema: Parameters<typeof Value.Check>[0], value: unknown): T {
  if (!Value.Check(schema, value)) throw new Error('channel config is invalid for its type');
  return value as T;
}

/** Delivers one notice over one channel; throws with a readable reason on failure. */
export async function sendNotice(
  channel: ChannelRow,
  notice: AlertNotice,
  now: number,
): Promise<void> {
  const c = channel.config;
  switch (channel.type) {
    case 'webhook':
      return sendWebhook(checked<AlertWebhookConfig>(AlertWebhookConfig, c), notice);
    case 'dingtalk':
      return sendDingTalk(checked<AlertDingTalkConfig>(AlertDingTalkConfig, c), notice, now);
    case 'wecom':
      return sendWeCom(checked<AlertWeComConfig>(AlertWeComConfig, c), notice);
    case 'feishu':
      return sendFeishu(checked<AlertFeishuConfig>(AlertFeishuConfig, c), notice, now);
    case 'email':
      return sendEmail(checked<AlertEmailConfig>(AlertEmailConfig, c), notice);
    default:
      throw new Error(`unknown channel type ${channel.type}`);
  }
}
