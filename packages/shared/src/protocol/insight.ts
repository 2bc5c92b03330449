import { Type, type Static } from '@sinclair/typebox';
import { Strict } from './strict';

/*
 * What the dashboard's host page and the cluster page's readiness and availability panels
 * read (GET /api/v1/hosts/:cluster/:node, /clusters/:id/readiness, /clusters/:id/availability).
 */

const Ident = Type.String({ minLength: 1, maxLength: 128 });

export const HostInsightParams = Strict({ cluster: Ident, node: Ident });
export type HostInsightParams = Static<typeof HostInsightParams>;

export const ClusterInsightParams = Strict({ id: Ident });
export type ClusterInsightParams = Static<typeof ClusterInsightParams>;

export const HostConfigFile = Type.Object({
  component: Type.String(),
  path: Type.Union([Type.String(), Type.Null()]),
  /** sha256 hex of the file as the agent last read it; null when unreadable. */
  sha256: Type.Union([Type.String(), Type.Null()]),
  /** Agent time of that observation. */
  observedAt: Type.Number(),
  /** `keepalived -t` / `nginx -t` result, when the agent ran it. */
  testOk: Type.Union([Type.Boolean(), Type.Null()]),
  /** true for a file the main one includes. */
  included: Type.Boolean(),
});
export type HostConfigFile = Static<typeof HostConfigFile>;

export const HostInfo = Type.Object({
  cluster: Type.String(),
  node: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  agentId: Type.Union([Type.String(), Type.Null()]),
  online: Type.Boolean(),
  lastSeen: Type.Union([Type.Number(), Type.Null()]),
  /** From the agent's hello: hostname, os, kernel, agentVersion, keepalived/nginx/java versions. */
  facts: Type.Record(Type.String(), Type.String()),
  /** The agent's own resident memory and CPU, from its last stats sample since this start. */
  footprint: Type.Union([
    Type.Object({ rssBytes: Type.Number(), cpuPercent: Type.Number(), at: Type.Number() }),
    Type.Null(),
  ]),
  configs: Type.Array(HostConfigFile),
});
export type HostInfo = Static<typeof HostInfo>;

/** One check of a pair's failover readiness; `ok` null = cannot tell (words in the dashboard). */
export const ReadinessCheck = Type.Object({
  /** backup-healthy, config-same, upstreams-healthy, weights-move, drill-recent */
  id: Type.String(),
  ok: Type.Union([Type.Boolean(), Type.Null()]),
  /** Facts for the words: node names, hashes, servers, ages. */
  args: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
});
export type ReadinessCheck = Static<typeof ReadinessCheck>;

export const PairReadiness = Type.Object({
  instance: Type.String(),
  vip: Type.Union([Type.String(), Type.Null()]),
  master: Type.Union([Type.String(), Type.Null()]),
  backup: Type.Union([Type.String(), Type.Null()]),
  /** Every check true. */
  ready: Type.Boolean(),
  checks: Type.Array(ReadinessCheck),
});
export type PairReadiness = Static<typeof PairReadiness>;

export const ReadinessResponse = Type.Object({
  cluster: Type.String(),
  pairs: Type.Array(PairReadiness),
  /** The last drill that passed (drills module), or null: never. */
  lastDrill: Type.Union([Type.Object({ id: Type.String(), at: Type.Number() }), Type.Null()]),
  generatedAt: Type.Number(),
});
export type ReadinessResponse = Static<typeof ReadinessResponse>;

export const AvailabilityWindow = Type.Object({
  /** 24h, 7d, 30d */
  range: Type.String(),
  fromMs: Type.Number(),
  /** Time covered by stored history (before the first report nothing is known). */
  knownMs: Type.Number(),
  /** Time no kernel held the VIP, or its holder's nginx was down. */
  downMs: Type.Number(),
  /** Time two or more kernels held it (counted as up: clients reached one of them). */
  splitMs: Type.Number(),
  /** (knownMs - downMs) / knownMs; null when nothing is known. */
  availability: Type.Union([Type.Number(), Type.Null()]),
});
export type AvailabilityWindow = Static<typeof AvailabilityWindow>;

export const VipAvailability = Type.Object({
  address: Type.String(),
  instance: Type.String(),
  windows: Type.Array(AvailabilityWindow),
});
export type VipAvailability = Static<typeof VipAvailability>;

export const AvailabilityResponse = Type.Object({
  cluster: Type.String(),
  vips: Type.Array(VipAvailability),
  generatedAt: Type.Number(),
});
export type AvailabilityResponse = Static<typeof AvailabilityResponse>;
