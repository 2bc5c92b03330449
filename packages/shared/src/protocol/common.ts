import { Type, type Static } from '@sinclair/typebox';

/** Bumped on any incompatible change to a message below. Sent in both handshakes. */
export const PROTOCOL_VERSION = 1;

/** Epoch milliseconds (may carry a fraction for sub-millisecond sources). */
export const EpochMs = Type.Number({ minimum: 0, description: 'Unix epoch, milliseconds' });

export const NodeName = Type.String({ minLength: 1, maxLength: 128 });
export const NodeRole = Type.Union([Type.Literal('lb'), Type.Literal('backend')]);
export type NodeRole = Static<typeof NodeRole>;

export const AgentId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' });

/** Who a host is: the same in the agent's config file and in its hello. */
export const NodeIdentity = Type.Object({
  name: NodeName,
  role: NodeRole,
  cluster: Type.Object({
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
export const VrrpInstance = Type.Object({
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
export const KernelAddress = Type.Object({
  address: Type.String({ minLength: 1, maxLength: 64 }),
  prefix: Type.Integer({ minimum: 0, maximum: 128 }),
  interface: Type.String({ minLength: 1, maxLength: 64 }),
});
export type KernelAddress = Static<typeof KernelAddress>;

export const ServiceHealth = Type.Object({
  healthy: Type.Boolean(),
  /** Why it is unhealthy ("connect ECONNREFUSED", "HTTP 502", "process not running"). */
  detail: Type.Optional(Type.String({ maxLength: 512 })),
  latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
  checkedAt: EpochMs,
});
export type ServiceHealth = Static<typeof ServiceHealth>;

export const Services = Type.Object({
  nginx: Type.Optional(ServiceHealth),
  keepalived: Type.Optional(ServiceHealth),
  tomcat: Type.Optional(ServiceHealth),
});
export type Services = Static<typeof Services>;

export const HostFacts = Type.Object({
  hostname: Type.String({ maxLength: 256 }),
  os: Type.Optional(Type.String({ maxLength: 256 })),
  kernel: Type.Optional(Type.String({ maxLength: 256 })),
  agentVersion: Type.String({ maxLength: 64 }),
  keepalivedVersion: Type.Optional(Type.String({ maxLength: 128 })),
  nginxVersion: Type.Optional(Type.String({ maxLength: 128 })),
  javaVersion: Type.Optional(Type.String({ maxLength: 128 })),
});
export type HostFacts = Static<typeof HostFacts>;
