import { Type, type Static } from '@sinclair/typebox';
import { MAX_SEQ, Strict } from './strict';

/** Bumped on any incompatible change to a message below. Sent in both handshakes. */
export const PROTOCOL_VERSION = 1;

/** Epoch milliseconds (may carry a fraction for sub-millisecond sources); JS Date's range. */
export const EpochMs = Type.Number({
  minimum: 0,
  maximum: 8.64e15,
  description: 'Unix epoch, milliseconds',
});

/**
 * A data message's sequence number (per agent, strictly increasing). Capped where JSON
 * numbers stay exact: a seq of 1e300 would otherwise shadow every later one forever.
 */
export const Seq = Type.Integer({ minimum: 1, maximum: MAX_SEQ });
/** A cumulative position in the seq space (0 = nothing yet). */
export const SeqPosition = Type.Integer({ minimum: 0, maximum: MAX_SEQ });

export const NodeName = Type.String({ minLength: 1, maxLength: 128 });
export const NodeRole = Type.Union([Type.Literal('lb'), Type.Literal('backend')]);
export type NodeRole = Static<typeof NodeRole>;

export const AgentId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' });

/** Who a host is: the same in the agent's config file and in its hello. */
export const NodeIdentity = Strict({
  name: NodeName,
  role: NodeRole,
  cluster: Strict({
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 128 }),
  }),
});
export type NodeIdentity = Static<typeof NodeIdentity>;

export const ServiceName = Type.Union([
  Type.Literal('nginx'),
  Type.Literal('keepalived'),
  Type.Literal('tomcat'),
]);
export type ServiceName = Static<typeof ServiceName>;

/**
 * keepalived's VRRP states as they appear in its notify FIFO and JSON dump
 * (JSON numbers 0..3 map to INIT, BACKUP, MASTER, FAULT). STOP means keepalived shut the
 * instance down; UNKNOWN means the agent has no source for it (keepalived not running).
 */
export const VrrpState = Type.Union([
  Type.Literal('INIT'),
  Type.Literal('BACKUP'),
  Type.Literal('MASTER'),
  Type.Literal('FAULT'),
  Type.Literal('STOP'),
  Type.Literal('DELETED'),
  Type.Literal('UNKNOWN'),
]);
export type VrrpState = Static<typeof VrrpState>;

/** One VRRP instance as one keepalived sees it. */
export const VrrpInstance = Strict({
  instance: Type.String({ minLength: 1, maxLength: 128 }),
  state: VrrpState,
  /** Configured (base) priority. */
  priority: Type.Integer({ minimum: 0, maximum: 255 }),
  effectivePriority: Type.Integer({ minimum: 0, maximum: 255 }),
  vrid: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
  interface: Type.Optional(Type.String({ maxLength: 64 })),
  /** Virtual addresses configured on the instance, without prefix length ("10.77.0.50"). */
  vips: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 256 }),
  lastTransition: Type.Optional(EpochMs),
});
export type VrrpInstance = Static<typeof VrrpInstance>;

/** An IPv4/IPv6 address configured on an interface, as the kernel reports it. */
export const KernelAddress = Strict({
  address: Type.String({ minLength: 1, maxLength: 64 }),
  prefix: Type.Integer({ minimum: 0, maximum: 128 }),
  interface: Type.String({ minLength: 1, maxLength: 64 }),
  /**
   * The interface is down (administratively, or no carrier: operstate DOWN or
   * LOWERLAYERDOWN). The kernel keeps an IPv4 address on a downed link, but nothing can
   * reach it there. Sent only when true.
   */
  linkDown: Type.Optional(Type.Literal(true)),
});
export type KernelAddress = Static<typeof KernelAddress>;

export const ServiceHealth = Strict({
  healthy: Type.Boolean(),
  /** Why it is unhealthy ("connect ECONNREFUSED", "HTTP 502", "process not running"). */
  detail: Type.Optional(Type.String({ maxLength: 512 })),
  latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
  checkedAt: EpochMs,
});
export type ServiceHealth = Static<typeof ServiceHealth>;

export const Services = Strict({
  nginx: Type.Optional(ServiceHealth),
  keepalived: Type.Optional(ServiceHealth),
  tomcat: Type.Optional(ServiceHealth),
});
export type Services = Static<typeof Services>;

export const HostFacts = Strict({
  hostname: Type.String({ maxLength: 256 }),
  os: Type.Optional(Type.String({ maxLength: 256 })),
  kernel: Type.Optional(Type.String({ maxLength: 256 })),
  agentVersion: Type.String({ maxLength: 64 }),
  keepalivedVersion: Type.Optional(Type.String({ maxLength: 128 })),
  nginxVersion: Type.Optional(Type.String({ maxLength: 128 })),
  javaVersion: Type.Optional(Type.String({ maxLength: 128 })),
});
export type HostFacts = Static<typeof HostFacts>;
