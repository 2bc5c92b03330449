import { Type, type Static } from '@sinclair/typebox';
import {
  EpochMs,
  Seq,
  SeqPosition,
  HostFacts,
  KernelAddress,
  AgentId,
  NodeIdentity,
  ServiceHealth,
  ServiceName,
  Services,
  VrrpInstance,
  VrrpState,
} from './common';
import { ActionRequest, ActionResult } from './actions';
import { ProbeSamples } from './probe';
import {
  ConfigChange,
  ConfigObservation,
  LogLines,
  LogsSubscribe,
  LogsUnsubscribe,
  StatsSample,
  SyncGroup,
  SyncGroupChange,
  UpstreamHealth,
  UpstreamHealthChange,
} from './observations';
import { Strict } from './strict';

/*
 * Agent <-> server protocol, v1 (socket: /api/v1/agent/ws).
 *
 *   agent  -> hello                         (first frame, nothing else before it)
 *   server -> welcome {ackedSeq}            (highest seq already stored for this agent)
 *   agent  -> replays its outbox after ackedSeq, then live messages, each with seq and ts
 *   server -> ack {seq}                     (cumulative: everything <= seq is durable)
 *   server -> ping {id, t0}  agent -> pong {id, t0, t1, t2}   (clock offset, 4 timestamps)
 *
 * Every data message carries `seq` (per agent, strictly increasing, never reused, survives
 * agent restarts) and `ts` (the agent's clock when it observed the fact). The server
 * deduplicates by (agentId, seq).
 *
 * Closed schemas: every agent -> server message refuses unknown properties (`Strict`), and so
 * do the server -> agent frames that make the agent act (action.request, logs.*): an agent
 * must not run a request whose parameters it does not fully understand. welcome, ack and
 * ping stay open, so a newer server may add informational fields without breaking agents.
 */

const Sequenced = {
  seq: Seq,
  ts: EpochMs,
};

export const AgentHello = Strict({
  type: Type.Literal('hello'),
  protocol: Type.Integer({ minimum: 1 }),
  agentId: AgentId,
  /** Credential the server checks before accepting anything else. */
  token: Type.String({ minLength: 1, maxLength: 512 }),
  node: NodeIdentity,
  facts: HostFacts,
  capabilities: Strict({
    /** What this agent can observe: 'keepalived', 'vip', 'nginx', 'tomcat', ... */
    observe: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 }),
    /** What its own host config lets it do: 'config', 'drills'. Empty = monitor-only. */
    control: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 32 }),
  }),
});
export type AgentHello = Static<typeof AgentHello>;

/** Everything the agent knows right now; replaces the server's view of this node. */
export const AgentSnapshot = Strict({
  type: Type.Literal('snapshot'),
  ...Sequenced,
  vrrp: Type.Array(VrrpInstance, { maxItems: 256 }),
  /** Every address on the host's interfaces (loopback excluded), from the kernel. */
  addresses: Type.Array(KernelAddress, { maxItems: 1024 }),
  services: Services,
  /** false when keepalived is not running or cannot be read: vrrp[] is then the last known. */
  keepalivedRunning: Type.Optional(Type.Boolean()),
  syncGroups: Type.Optional(Type.Array(SyncGroup, { maxItems: 64 })),
  upstreams: Type.Optional(Type.Array(UpstreamHealth, { maxItems: 256 })),
  configs: Type.Optional(Type.Array(ConfigObservation, { maxItems: 4 })),
  /** Highest seq the agent had to drop because its outbox was full (0 or absent = none). */
  droppedMessages: Type.Optional(SeqPosition),
  /**
   * Lists the agent cut to this schema's limits (the host has more addresses, upstreams…
   * than a snapshot may carry): which list, and how many items the host really has.
   */
  capped: Type.Optional(
    Type.Array(
      Strict({
        path: Type.String({ maxLength: 128 }),
        total: Type.Integer({ minimum: 0 }),
      }),
      { maxItems: 16 },
    ),
  ),
});
export type AgentSnapshot = Static<typeof AgentSnapshot>;

export const VrrpTransition = Strict({
  type: Type.Literal('vrrp.transition'),
  ...Sequenced,
  instance: Type.String({ minLength: 1, maxLength: 128 }),
  state: VrrpState,
  effectivePriority: Type.Integer({ minimum: 0, maximum: 255 }),
  /** Where the agent learned it: the notify FIFO (live) or a state dump (reconciliation). */
  source: Type.Union([Type.Literal('fifo'), Type.Literal('dump')]),
});
export type VrrpTransition = Static<typeof VrrpTransition>;

export const VipChange = Strict({
  type: Type.Literal('vip.change'),
  ...Sequenced,
  action: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
  address: KernelAddress,
});
export type VipChange = Static<typeof VipChange>;

export const ServiceHealthChange = Strict({
  type: Type.Literal('service.health'),
  ...Sequenced,
  service: ServiceName,
  health: ServiceHealth,
});
export type ServiceHealthChange = Static<typeof ServiceHealthChange>;

export const AgentPong = Strict({
  type: Type.Literal('pong'),
  id: Type.Integer({ minimum: 0 }),
  /** Server send time, echoed. */
  t0: EpochMs,
  /** Agent receive time. */
  t1: EpochMs,
  /** Agent send time. */
  t2: EpochMs,
});
export type AgentPong = Static<typeof AgentPong>;

/** Messages with a seq: stored in the agent's outbox until acknowledged. */
export const AgentDataMessage = Type.Union([
  AgentSnapshot,
  VrrpTransition,
  VipChange,
  ServiceHealthChange,
  SyncGroupChange,
  UpstreamHealthChange,
  ConfigChange,
  ActionResult,
  ProbeSamples,
]);
export type AgentDataMessage = Static<typeof AgentDataMessage>;

export const AgentToServer = Type.Union([
  AgentHello,
  AgentSnapshot,
  VrrpTransition,
  VipChange,
  ServiceHealthChange,
  SyncGroupChange,
  UpstreamHealthChange,
  ConfigChange,
  ActionResult,
  ProbeSamples,
  AgentPong,
  StatsSample,
  LogLines,
]);
export type AgentToServer = Static<typeof AgentToServer>;

export const ServerWelcome = Type.Object({
  type: Type.Literal('welcome'),
  protocol: Type.Integer({ minimum: 1 }),
  serverTime: EpochMs,
  /** Highest seq the server has stored for this agent (0 = none): replay after it. */
  ackedSeq: SeqPosition,
});
export type ServerWelcome = Static<typeof ServerWelcome>;

export const ServerAck = Type.Object({
  type: Type.Literal('ack'),
  /** Cumulative: every message with seq <= this is durably stored. */
  seq: SeqPosition,
});
export type ServerAck = Static<typeof ServerAck>;

export const ServerPing = Type.Object({
  type: Type.Literal('ping'),
  id: Type.Integer({ minimum: 0 }),
  t0: EpochMs,
});
export type ServerPing = Static<typeof ServerPing>;

/**
 * Why the server did not take one inbound frame; the agent logs it. `invalid`: the frame broke
 * its schema; it is kept server-side as a rejected event and, when its seq was usable, acked
 * (nothing to replay). `seq-jump`: the seq leaps too far past the last stored one; not stored,
 * not acked. `budget`: the agent is over its message or byte budget; not stored, not acked,
 * the socket closes (4429) and the outbox replays it after reconnecting. Open, informational.
 */
export const ServerRefused = Type.Object({
  type: Type.Literal('refused'),
  code: Type.Union([Type.Literal('invalid'), Type.Literal('seq-jump'), Type.Literal('budget')]),
  reason: Type.String({ maxLength: 512 }),
  seq: Type.Optional(SeqPosition),
  /** budget: when the agent may send again. */
  retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type ServerRefused = Static<typeof ServerRefused>;

export const ServerToAgent = Type.Union([
  ServerWelcome,
  ServerAck,
  ServerPing,
  ServerRefused,
  ...ActionRequest.anyOf,
  LogsSubscribe,
  LogsUnsubscribe,
]);
export type ServerToAgent = Static<typeof ServerToAgent>;

/**
 * WebSocket close codes used on both sockets (4000-4999 is the application range).
 * The close reason is a short human sentence; clients log it.
 */
export const CloseCode = {
  badFrame: 4400,
  unauthorized: 4401,
  protocolVersion: 4426,
  replaced: 4409,
  /** The hello names a node its credential is not (node-binding rules in modules/enrollment). */
  identity: 4403,
  /** Over its message or byte budget: reconnect after a pause and replay (ServerRefused). */
  overBudget: 4429,
  serverShutdown: 1001,
} as const;
