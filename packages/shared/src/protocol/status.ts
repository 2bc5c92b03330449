import { Type, type Static } from '@sinclair/typebox';
import { NodeRole, VrrpState } from './common';

/* GET /api/v1/status and the browser live feed. Shape fixed by ARCHITECTURE.md. */

export const Verdict = Type.Union([
  Type.Literal('healthy'),
  Type.Literal('degraded'),
  Type.Literal('at_risk'),
  Type.Literal('down'),
  Type.Literal('unknown'),
]);
export type Verdict = Static<typeof Verdict>;

export const Severity = Type.Union([
  Type.Literal('info'),
  Type.Literal('warning'),
  Type.Literal('critical'),
]);
export type Severity = Static<typeof Severity>;

export const FindingArgs = Type.Record(
  Type.String(),
  Type.Union([Type.String(), Type.Number(), Type.Array(Type.String())]),
);
export type FindingArgs = Static<typeof FindingArgs>;

/** One reason behind a verdict; `rule` is the rule ID from the verdict spec. */
export const Finding = Type.Object({
  rule: Type.String(),
  severity: Severity,
  message: Type.String(),
  nodes: Type.Optional(Type.Array(Type.String())),
  vip: Type.Optional(Type.String()),
  /** The SPEC.md rule ID (SB-1, ST-1…): with `args`, lets a client word it in its language. */
  code: Type.Optional(Type.String({ maxLength: 16 })),
  /** The facts the message is made of (names, addresses, figures). */
  args: Type.Optional(FindingArgs),
  /** Already worded in both dashboard languages (configuration analysis does this itself). */
  text: Type.Optional(Type.Object({ en: Type.String(), 'zh-CN': Type.String() })),
});
export type Finding = Static<typeof Finding>;

export const StatusService = Type.Object({
  healthy: Type.Boolean(),
  detail: Type.Optional(Type.String()),
  latencyMs: Type.Optional(Type.Number()),
  since: Type.Optional(Type.Number({ description: 'epoch ms of the last change' })),
});
export type StatusService = Static<typeof StatusService>;

export const StatusVrrp = Type.Object({
  instance: Type.String(),
  /** UNKNOWN while the node's keepalived is not running (SPEC.md NL-1): see lastKnown. */
  state: VrrpState,
  priority: Type.Integer(),
  effectivePriority: Type.Integer(),
  vrid: Type.Optional(Type.Integer()),
  since: Type.Optional(Type.Number({ description: 'epoch ms of the last transition' })),
  /** What keepalived last reported before it stopped running; history, not the present. */
  lastKnown: Type.Optional(
    Type.Object({
      state: VrrpState,
      since: Type.Optional(Type.Number({ description: 'epoch ms it entered that state' })),
    }),
  ),
});
export type StatusVrrp = Static<typeof StatusVrrp>;

/** One upstream server as this load balancer's nginx side sees it (probed from the LB). */
export const StatusUpstream = Type.Object({
  server: Type.String(),
  healthy: Type.Boolean(),
  detail: Type.Optional(Type.String()),
  latencyMs: Type.Optional(Type.Number()),
  since: Type.Optional(Type.Number()),
});
export type StatusUpstream = Static<typeof StatusUpstream>;

export const StatusNode = Type.Object({
  name: Type.String(),
  role: NodeRole,
  online: Type.Boolean(),
  lastSeen: Type.Optional(Type.Number()),
  vrrp: Type.Array(StatusVrrp),
  /** VIPs of this cluster that this node's kernel holds right now. */
  vipsHeld: Type.Array(Type.String()),
  services: Type.Object({
    nginx: Type.Optional(StatusService),
    keepalived: Type.Optional(StatusService),
    tomcat: Type.Optional(StatusService),
  }),
  clockOffsetMs: Type.Union([Type.Number(), Type.Null()]),
  /** false: keepalived is not running (or unreadable); absent: the agent did not say. */
  keepalivedRunning: Type.Optional(Type.Boolean()),
  /** Load balancers: each upstream backend as seen from this LB. */
  upstreams: Type.Optional(Type.Array(StatusUpstream)),
  /** The agent's own health: present while it cannot write its outbox (disk full, I/O). */
  agent: Type.Optional(
    Type.Object({
      outboxError: Type.Object({
        message: Type.String(),
        since: Type.Number({ description: 'epoch ms the writes began to fail' }),
      }),
    }),
  ),
});
export type StatusNode = Static<typeof StatusNode>;

export const StatusVip = Type.Object({
  address: Type.String(),
  instance: Type.String(),
  /** Nodes whose kernel has the address configured: the truth, not keepalived's claim. */
  holders: Type.Array(Type.String()),
  /** Nodes whose keepalived says MASTER for the instance. */
  masters: Type.Array(Type.String()),
});
export type StatusVip = Static<typeof StatusVip>;

export const StatusCluster = Type.Object({
  id: Type.String(),
  name: Type.String(),
  verdict: Verdict,
  findings: Type.Array(Finding),
  vips: Type.Array(StatusVip),
  nodes: Type.Array(StatusNode),
});
export type StatusCluster = Static<typeof StatusCluster>;

export const StatusResponse = Type.Object({
  clusters: Type.Array(StatusCluster),
  generatedAt: Type.Number(),
});
export type StatusResponse = Static<typeof StatusResponse>;
