import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';
import { FindingArgs } from './status';

/* REST shapes of /api/v1/alerts and the alert channel configs, one schema per channel type. */

const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://' });
const Secret = Type.String({ maxLength: 512 });

export const AlertWebhookConfig = Type.Object(
  {
    url: Url,
    headers: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 2048 }), {
        additionalProperties: false,
        maxProperties: 32,
      }),
    ),
    /** JSON body with {{cluster}} {{rule}} {{severity}} {{message}} {{event}} {{time}} {{key}}. */
    template: Type.Optional(Type.String({ maxLength: 16_384 })),
  },
  { additionalProperties: false },
);
export const AlertDingTalkConfig = Type.Object(
  { url: Url, secret: Type.Optional(Secret) },
  { additionalProperties: false },
);
export const AlertWeComConfig = Type.Object(
  {
    /** The robot's webhook key; the URL is Tencent's unless `url` overrides it (proxies, tests). */
    key: Type.Optional(Secret),
    url: Type.Optional(Url),
  },
  { additionalProperties: false },
);
export const AlertFeishuConfig = Type.Object(
  { url: Url, secret: Type.Optional(Secret) },
  { additionalProperties: false },
);
export const AlertEmailConfig = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** Implicit TLS (port 465). */
    secure: Type.Optional(Type.Boolean()),
    /** STARTTLS on a plain connection: required (default: no TLS, no send), opportunistic or off. */
    starttls: Type.Optional(
      Type.Union([Type.Literal('required'), Type.Literal('opportunistic'), Type.Literal('off')]),
    ),
    user: Type.Optional(Type.String({ maxLength: 255 })),
    pass: Type.Optional(Secret),
    from: Type.String({ minLength: 3, maxLength: 255 }),
    to: Type.Array(Type.String({ minLength: 3, maxLength: 255 }), { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

export type AlertWebhookConfig = Static<typeof AlertWebhookConfig>;
export type AlertDingTalkConfig = Static<typeof AlertDingTalkConfig>;
export type AlertWeComConfig = Static<typeof AlertWeComConfig>;
export type AlertFeishuConfig = Static<typeof AlertFeishuConfig>;
export type AlertEmailConfig = Static<typeof AlertEmailConfig>;

const ChannelCommon = {
  name: Type.String({ minLength: 1, maxLength: 128 }),
  enabled: Type.Optional(Type.Boolean()),
};

/** Body of POST /alerts/channels and PUT /alerts/channels/:id. */
export const AlertChannelInput = Type.Union([
  Strict({ ...ChannelCommon, type: Type.Literal('webhook'), config: AlertWebhookConfig }),
  Strict({ ...ChannelCommon, type: Type.Literal('dingtalk'), config: AlertDingTalkConfig }),
  Strict({ ...ChannelCommon, type: Type.Literal('wecom'), config: AlertWeComConfig }),
  Strict({ ...ChannelCommon, type: Type.Literal('feishu'), config: AlertFeishuConfig }),
  Strict({ ...ChannelCommon, type: Type.Literal('email'), config: AlertEmailConfig }),
]);
export type AlertChannelInput = Static<typeof AlertChannelInput>;
export type AlertChannelType = AlertChannelInput['type'];

/** A stored channel as the API returns it. */
export const AlertChannel = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  enabled: Type.Boolean(),
  /** Secrets (secret, pass, key, header values) come back as "********". */
  config: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});
export type AlertChannel = Static<typeof AlertChannel>;

export const AlertChannelList = Type.Array(AlertChannel);
export type AlertChannelList = Static<typeof AlertChannelList>;

/** Path params of /alerts/channels/:id and /alerts/channels/:id/test. */
export const AlertChannelIdParams = Strict({ id: Type.Integer({ minimum: 1 }) });
export type AlertChannelIdParams = Static<typeof AlertChannelIdParams>;

export const Alert = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  rule: Type.String(),
  severity: Type.String(),
  cluster: Type.String(),
  message: Type.String(),
  firingAt: Type.Number(),
  resolvedAt: Type.Union([Type.Number(), Type.Null()]),
  /** The finding's rule ID and facts (SPEC.md NL-2); absent on alerts fired before 070. */
  code: Type.Optional(Type.String()),
  args: Type.Optional(FindingArgs),
  text: Type.Optional(Type.Object({ en: Type.String(), 'zh-CN': Type.String() })),
});
export type Alert = Static<typeof Alert>;

/** Body of GET /alerts. */
export const AlertsResponse = Type.Object({
  active: Type.Array(Alert),
  recent: Type.Array(Alert),
});
export type AlertsResponse = Static<typeof AlertsResponse>;

/** Body of POST /alerts/channels/:id/test: one delivery attempt's outcome. */
export const AlertDeliveryResult = Type.Object({
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
  durationMs: Type.Number(),
});
export type AlertDeliveryResult = Static<typeof AlertDeliveryResult>;
