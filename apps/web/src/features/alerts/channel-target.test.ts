import type { AlertChannel } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import { channelTarget } from './channel-table';

const ch = (type: string, config: Record<string, unknown>): AlertChannel => ({
  id: 1,
  name: 'n',
  type,
  enabled: true,
  config,
  createdAt: 0,
  updatedAt: 0,
});

describe('channelTarget', () => {
  it('shows a robot URL without its access token', () => {
    expect(
      channelTarget(
        ch('dingtalk', { url: 'https://oapi.dingtalk.com/robot/send?access_token=abc' }),
      ),
    ).toBe('https://oapi.dingtalk.com/robot/send');
  });
  it('shows e-mail recipients and the SMTP host; nothing for a key-only WeCom robot', () => {
    expect(channelTarget(ch('email', { host: 'smtp.x', to: ['a@x', 'b@x'] }))).toBe(
      'a@x, b@x (smtp.x)',
    );
    expect(channelTarget(ch('wecom', { key: '********' }))).toBe('');
  });
});
