import { Type, type Static } from '@sinclair/typebox';

/* REST shapes of /api/v1/alerts and the channel configs, one schema per channel type. */

const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' });
const Secret = Type.String({ maxLength: 512 });

export const WebhookConfig = Type.Object(
  {
    url: Url,
    headers: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 2048 }))),
    /** JSON body with {{cluster}} {{rule}} {{severity}} {{message}} {{event}} {{time}} {{key}}. */
    template: Type.Optional(Type.String({ maxLength: 16_384 })),
  },
  { additionalProperties: false },
);
export const DingTalkConfig = Type.Object(
  { url: Url, secret: Type.Optional(Secret) },
  { additionalProperties: false },
);
export const WeComConfig = Type.Object(
  {
    /** The robot's webhook key; the URL is Tencent's unless `url` overrides it (proxies, tests). */
    key: Type.Optional(Secret),
    url: Type.Optional(Url),
  },
  { additionalProperties: false },
);
export const FeishuConfig = Type.Object(
  { url: Url, secret: Type.Optional(Secret) },
  { additionalProperties: false },
);
export const EmailConfig = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** Implicit TLS (port 465). */
    secure: Type.Optional(Type.Boolean()),
    /** STARTTLS on a plain connection: required, opportunistic (default) or off. */
    starttls: Type.Optional(Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('off')])),
    user: Type.Optional(Type.String({ maxLength: 255 })),
    pass: Type.Optional(Secret),
    from: Type.String({ minLength: 3, maxLength: 255 }),
    to: Type.Array(Type.String({ minLength: 3, maxLength: 255 }), { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

export type WebhookConfig = Static<typeof WebhookConfig>;
export type DingTalkConfig = Static<typeof DingTalkConfig>;
export type WeComConfig = Static<typeof WeComConfig>;
export type FeishuConfig = Static<typeof FeishuConfig>;
export type EmailConfig = Static<typeof EmailConfig>;

const Common = {
  name: Type.String({ minLength: 1, maxLength: 128 }),
  enabled: Type.Optional(Type.Boolean()),
};

export const ChannelInput = Type.Union([
  Type.Object({ ...Common, type: Type.Literal('webhook'), config: WebhookConfig }),
  Type.Object({ ...Common, type: Type.Literal('dingtalk'), config: DingTalkConfig }),
  Type.Object({ ...Common, type: Type.Literal('wecom'), config: WeComConfig }),
  Type.Object({ ...Common, type: Type.Literal('feishu'), config: FeishuConfig }),
  Type.Object({ ...Common, type: Type.Literal('email'), config: EmailConfig }),
]);
export type ChannelInput = Static<typeof ChannelInput>;
export type ChannelType = ChannelInput['type'];

export const Channel = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  enabled: Type.Boolean(),
  /** Secrets (secret, pass, key, header values) come back as "********". */
  config: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});
export type Channel = Static<typeof Channel>;

export const Alert = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  rule: Type.String(),
  severity: Type.String(),
  cluster: Type.String(),
  message: Type.String(),
  firingAt: Type.Number(),
  resolvedAt: Type.Union([Type.Number(), Type.Null()]),
});
export type Alert = Static<typeof Alert>;

export const AlertsResponse = Type.Object({
  active: Type.Array(Alert),
  recent: Type.Array(Alert),
});

export const DeliveryResult = Type.Object({
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
  durationMs: Type.Number(),
});
export type DeliveryResult = Static<typeof DeliveryResult>;

/** What a channel is asked to deliver. */
export interface AlertNotice {
  event: 'firing' | 'resolved' | 'test';
  alert: {
    key: string;
    rule: string;
    severity: string;
    cluster: string;
    message: string;
    firingAt: number;
    resolvedAt?: number;
  };
  /** When the notice was made (epoch ms). */
  at: number;
}
