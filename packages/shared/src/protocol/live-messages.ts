import { Type, type Static } from '@sinclair/typebox';
import { Alert } from './alerts';
import { EpochMs, NodeName } from './common';
import { LiveDrillPhase, LiveDrillSamples, LiveDrillTransition } from './drills';
import { LivePushProgress } from './config-api';
import { LiveMaintenance } from './maintenance';
import { LogSource } from './observations';
import { StatusCluster, StatusResponse } from './status';
import { Strict } from './strict';

/*
 * Server <-> browser live feed, v1 (socket: /api/v1/live, same auth as REST).
 *
 *   server -> hello {protocol, heartbeatMs}
 *   server -> snapshot {rev, status}        (once, right after connect)
 *   server -> patch {rev, upsert, remove}   (whole clusters that changed; rev increases by 1)
 *   server -> alerts {active, recent}       (right after connect, then on every change)
 *   server -> heartbeat {at}                (every heartbeatMs; a client that hears nothing
 *                                            for ~2.5 × heartbeatMs treats the socket as dead)
 *   browser -> logs.subscribe {subscription, cluster, nodes, sources, tail}
 *   server -> logs.status {subscription, node, state, message?}   (per node, as it changes)
 *   server -> log.lines {subscription, node, source, lines}       (relayed from the agents)
 *   browser -> logs.unsubscribe {subscription}
 *   server -> drill.phase / drill.samples / drill.transition   (a running drill; drills.ts)
 *   server -> push.progress {at, push}                             (a config push changed: config-api.ts)
 *   server -> maintenance {at, active}      (right after connect, then whenever a window opens,
 *                                            starts, ends or expires: maintenance.ts)
 *
 * A client that sees a rev gap (rev != last + 1) reconnects to get a fresh snapshot. Feature
 * modules add their own messages as new union members; nobody reshapes another's.
 */

export const LiveHello = Type.Object({
  type: Type.Literal('hello'),
  protocol: Type.Integer({ minimum: 1 }),
  /** How often the server sends a heartbeat when nothing else is sent (ms). */
  heartbeatMs: Type.Optional(Type.Integer({ minimum: 100 })),
});

export const LiveSnapshot = Type.Object({
  type: Type.Literal('snapshot'),
  rev: Type.Integer({ minimum: 0 }),
  status: StatusResponse,
});
export type LiveSnapshot = Static<typeof LiveSnapshot>;

export const LivePatch = Type.Object({
  type: Type.Literal('patch'),
  rev: Type.Integer({ minimum: 1 }),
  /** Server time the patch was made; the browser can measure the feed's latency with it. */
  at: Type.Number(),
  upsert: Type.Array(StatusCluster),
  remove: Type.Array(Type.String()),
});
export type LivePatch = Static<typeof LivePatch>;

export const LiveHeartbeat = Type.Object({
  type: Type.Literal('heartbeat'),
  at: EpochMs,
});
export type LiveHeartbeat = Static<typeof LiveHeartbeat>;

/** The alert lists, whole (they are short): replaces what the browser had. */
export const LiveAlerts = Type.Object({
  type: Type.Literal('alerts'),
  at: EpochMs,
  active: Type.Array(Alert),
  /** The latest resolved alerts, newest first (a few dozen at most). */
  recent: Type.Array(Alert),
});
export type LiveAlerts = Static<typeof LiveAlerts>;

const Subscription = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

// Browser -> server messages are inbound: closed objects (Strict).
export const LiveLogsSubscribe = Strict({
  type: Type.Literal('logs.subscribe'),
  subscription: Subscription,
  cluster: Type.String({ minLength: 1, maxLength: 64 }),
  /** Node names of the cluster; at most 8 at once. */
  nodes: Type.Array(NodeName, { minItems: 1, maxItems: 8 }),
  sources: Type.Array(LogSource, { minItems: 1, maxItems: 4 }),
  tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })),
});
export type LiveLogsSubscribe = Static<typeof LiveLogsSubscribe>;

export const LiveLogsUnsubscribe = Strict({
  type: Type.Literal('logs.unsubscribe'),
  subscription: Subscription,
});
export type LiveLogsUnsubscribe = Static<typeof LiveLogsUnsubscribe>;

export const LiveLogsStatus = Type.Object({
  type: Type.Literal('logs.status'),
  subscription: Type.String(),
  node: Type.String(),
  /** streaming: asked the agent; offline: no agent connected (asked again when it is). */
  state: Type.Union([
    Type.Literal('streaming'),
    Type.Literal('offline'),
    Type.Literal('rejected'),
    Type.Literal('dropped'),
  ]),
  message: Type.Optional(Type.String()),
});
export type LiveLogsStatus = Static<typeof LiveLogsStatus>;

export const LiveLogLines = Type.Object({
  type: Type.Literal('log.lines'),
  subscription: Type.String(),
  node: Type.String(),
  source: LogSource,
  lines: Type.Array(Type.Object({ ts: EpochMs, text: Type.String({ maxLength: 8192 }) }), {
    maxItems: 1000,
  }),
});
export type LiveLogLines = Static<typeof LiveLogLines>;

export const LiveToBrowser = Type.Union([
  LiveHello,
  LiveSnapshot,
  LivePatch,
  LiveHeartbeat,
  LiveAlerts,
  LiveLogsStatus,
  LiveLogLines,
  LiveDrillPhase,
  LiveDrillSamples,
  LiveDrillTransition,
  LivePushProgress,
  LiveMaintenance,
]);
export type LiveToBrowser = Static<typeof LiveToBrowser>;

export const LiveFromBrowser = Type.Union([LiveLogsSubscribe, LiveLogsUnsubscribe]);
export type LiveFromBrowser = Static<typeof LiveFromBrowser>;
