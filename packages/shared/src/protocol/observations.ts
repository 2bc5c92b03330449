import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Seq, ServiceHealth, VrrpState } from './common';
import { Strict } from './strict';

/* Facts beyond VRRP and VIPs, sent by the agent (issue: the agent, complete). */

export const SyncGroup = Strict({
  name: Type.String({ maxLength: 128 }),
  state: VrrpState,
  instances: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 }),
});
export type SyncGroup = Static<typeof SyncGroup>;

/** How a load balancer's nginx sees one upstream backend (probed from the LB). */
export const UpstreamHealth = Strict({
  /** host:port as written in the upstream block. */
  server: Type.String({ maxLength: 256 }),
  health: ServiceHealth,
});
export type UpstreamHealth = Static<typeof UpstreamHealth>;

export const ConfigObservation = Strict({
  component: Type.Union([Type.Literal('keepalived'), Type.Literal('nginx')]),
  /** sha256 hex of the config file as on disk; absent when unreadable. */
  hash: Type.Optional(Type.String({ maxLength: 64 })),
  path: Type.Optional(Type.String({ maxLength: 1024 })),
  /** The file itself (≤ 256 KiB), so the server can analyse it and base pushes on it. */
  content: Type.Optional(Type.String({ maxLength: 262_144 })),
  /**
   * The files the main one includes (keepalived `include` globs, the other parts of
   * `nginx -T`), so analysis and import see what the daemon reads. Bounded: 32 files,
   * 128 KiB each.
   */
  files: Type.Optional(
    Type.Array(
      Strict({
        path: Type.String({ maxLength: 1024 }),
        hash: Type.String({ maxLength: 64 }),
        content: Type.String({ maxLength: 131_072 }),
      }),
      { maxItems: 32 },
    ),
  ),
  /** Result of `keepalived -t -f` / `nginx -T -q -c` on it. */
  test: Type.Optional(
    Strict({
      ok: Type.Boolean(),
      code: Type.Union([Type.Integer(), Type.Null()]),
      output: Type.String({ maxLength: 4096 }),
    }),
  ),
  checkedAt: EpochMs,
});
export type ConfigObservation = Static<typeof ConfigObservation>;

/** nginx stub_status counters. */
export const NginxStats = Strict({
  active: Type.Integer({ minimum: 0 }),
  accepts: Type.Number({ minimum: 0 }),
  handled: Type.Number({ minimum: 0 }),
  requests: Type.Number({ minimum: 0 }),
  reading: Type.Integer({ minimum: 0 }),
  writing: Type.Integer({ minimum: 0 }),
  waiting: Type.Integer({ minimum: 0 }),
});
export type NginxStats = Static<typeof NginxStats>;

const Sequenced = { seq: Seq, ts: EpochMs };

/** A sync group changed state (GROUP lines of the notify FIFO, or the dump). */
export const SyncGroupChange = Strict({
  type: Type.Literal('vrrp.group'),
  ...Sequenced,
  group: SyncGroup,
});

export const UpstreamHealthChange = Strict({
  type: Type.Literal('upstream.health'),
  ...Sequenced,
  upstream: UpstreamHealth,
});

/** A config file's hash or test result changed. */
export const ConfigChange = Strict({
  type: Type.Literal('config.observed'),
  ...Sequenced,
  config: ConfigObservation,
});

/* Not durable (no seq): periodic samples and streamed logs. Losing one costs nothing. */

export const StatsSample = Strict({
  type: Type.Literal('stats'),
  ts: EpochMs,
  nginx: Type.Optional(NginxStats),
  /** Resident memory and CPU of the agent itself, for its own health. */
  agent: Type.Optional(
    Strict({
      rssBytes: Type.Number(),
      cpuPercent: Type.Number(),
      /** Present while the agent cannot write its outbox (disk full, I/O error): retrying. */
      outboxError: Type.Optional(
        Strict({ message: Type.String({ maxLength: 256 }), since: EpochMs }),
      ),
    }),
  ),
});
export type StatsSample = Static<typeof StatsSample>;

export const LogSource = Type.Union([
  Type.Literal('keepalived'),
  Type.Literal('nginx'),
  Type.Literal('tomcat'),
  Type.Literal('agent'),
]);
export type LogSource = Static<typeof LogSource>;

export const LogLines = Strict({
  type: Type.Literal('log.lines'),
  subscription: Type.String({ maxLength: 64 }),
  source: LogSource,
  lines: Type.Array(Strict({ ts: EpochMs, text: Type.String({ maxLength: 8192 }) }), {
    maxItems: 1000,
  }),
});
export type LogLines = Static<typeof LogLines>;

/** server -> agent: start streaming these logs (the last `tail` lines first). */
export const LogsSubscribe = Strict({
  type: Type.Literal('logs.subscribe'),
  subscription: Type.String({ minLength: 1, maxLength: 64 }),
  sources: Type.Array(LogSource, { minItems: 1, maxItems: 4 }),
  tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
});
export type LogsSubscribe = Static<typeof LogsSubscribe>;

export const LogsUnsubscribe = Strict({
  type: Type.Literal('logs.unsubscribe'),
  subscription: Type.String({ minLength: 1, maxLength: 64 }),
});
export type LogsUnsubscribe = Static<typeof LogsUnsubscribe>;
