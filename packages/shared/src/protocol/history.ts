import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';
import { EpochMs } from './common';

/* History REST API (GET /api/v1/history/*): the timeline of changes and rolled-up series. */

const ClusterId = Type.String({ minLength: 1, maxLength: 64 });

export const HistoryTimelineQuery = Strict({
  cluster: ClusterId,
  /** Agent time, epoch ms, inclusive. */
  from: EpochMs,
  /** Agent time, epoch ms, exclusive. */
  to: EpochMs,
  node: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  /** Comma-separated event types, e.g. "vrrp.transition,vip.change". */
  types: Type.Optional(Type.String({ maxLength: 512 })),
  /** Default 1000. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export type HistoryTimelineQuery = Static<typeof HistoryTimelineQuery>;

export const HistoryEvent = Type.Object({
  /** When the agent observed it (the agent's clock). */
  ts: EpochMs,
  /** When the server stored it (later than ts when the agent replayed its outbox). */
  receivedAt: EpochMs,
  node: Type.String(),
  agentId: Type.String(),
  seq: Type.Integer(),
  /** vrrp.transition, vip.change, service.health, vrrp.group, upstream.health, config.observed, action.result, snapshot */
  type: Type.String(),
  summary: Type.String(),
  /** The change's payload; `source: "snapshot"` when it was derived from a snapshot. */
  data: Type.Unknown(),
});
export type HistoryEvent = Static<typeof HistoryEvent>;

export const HistoryTimelineResponse = Type.Object({
  /** Ordered by ts, then agent and seq. */
  events: Type.Array(HistoryEvent),
  /** True when `limit` cut the list (ask again from the last ts). */
  truncated: Type.Boolean(),
});
export type HistoryTimelineResponse = Static<typeof HistoryTimelineResponse>;

export const HistorySeriesStep = Type.Union([Type.Literal('minute'), Type.Literal('hour')]);
export type HistorySeriesStep = Static<typeof HistorySeriesStep>;

export const HistorySeriesQuery = Strict({
  cluster: ClusterId,
  node: Type.String({ minLength: 1, maxLength: 128 }),
  /** nginx.rps, nginx.active, latency.nginx, latency.tomcat, latency.keepalived */
  metric: Type.String({ minLength: 1, maxLength: 64 }),
  from: EpochMs,
  to: EpochMs,
  step: HistorySeriesStep,
});
export type HistorySeriesQuery = Static<typeof HistorySeriesQuery>;

export const HistorySeriesPoint = Type.Object({
  /** Bucket start. */
  ts: EpochMs,
  min: Type.Number(),
  avg: Type.Number(),
  max: Type.Number(),
  count: Type.Integer({ minimum: 0 }),
});
export type HistorySeriesPoint = Static<typeof HistorySeriesPoint>;

export const HistorySeriesResponse = Type.Object({
  cluster: Type.String(),
  node: Type.String(),
  metric: Type.String(),
  step: HistorySeriesStep,
  points: Type.Array(HistorySeriesPoint),
});
export type HistorySeriesResponse = Static<typeof HistorySeriesResponse>;

/*
 * Timeline entries of the server's own doings, merged into GET /history/timeline by time
 * (node "" = cluster-wide, agentId "server", seq 0): config pushes (push.started, push.host
 * for each host that finished its part, push.finished) and drills (drill.started, drill.phase
 * for the fault and the restore, drill.result). Dry runs change nothing and are left out.
 */
export const TIMELINE_ACTIVITY_TYPES = [
  'push.started',
  'push.host',
  'push.finished',
  'drill.started',
  'drill.phase',
  'drill.result',
] as const;
export type TimelineActivityType = (typeof TIMELINE_ACTIVITY_TYPES)[number];

/** `data` of a push.* entry. */
export const TimelinePushData = Type.Object({
  pushId: Type.String(),
  /** The push's status (push.started/finished), or the host's (push.host). */
  status: Type.String(),
  message: Type.String(),
  author: Type.String(),
  host: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  rollbackOf: Type.Optional(Type.String()),
  summary: Type.Optional(Type.String()),
});
export type TimelinePushData = Static<typeof TimelinePushData>;

/** `data` of a drill.* entry. */
export const TimelineDrillData = Type.Object({
  drillId: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  startedBy: Type.String(),
  /** drill.phase: which moment ("fault" injected, "restore" done). */
  phase: Type.Optional(Type.String()),
  targets: Type.Optional(Type.Array(Type.String())),
  downtimeMs: Type.Optional(Type.Number()),
  failedRequests: Type.Optional(Type.Number()),
  totalRequests: Type.Optional(Type.Number()),
  error: Type.Optional(Type.String()),
});
export type TimelineDrillData = Static<typeof TimelineDrillData>;
