import type { NodeRole, VrrpState } from '../protocol/common';
import type { KeepalivedConfig } from '../config/keepalived-config';
import type { RuleThresholds } from './rule-thresholds';

/** One VRRP instance as the server last saw it on one node. */
export interface VrrpView {
  instance: string;
  state: VrrpState;
  priority: number;
  effectivePriority: number;
  vrid?: number;
  /** Virtual addresses configured on the instance (keepalived's claim, not the kernel's). */
  vips: string[];
  /** When the state last changed (epoch ms). */
  since?: number;
}

export interface ServiceView {
  healthy: boolean;
  detail?: string;
  latencyMs?: number;
  /** When `healthy` last flipped (epoch ms). */
  since?: number;
}

/** One upstream backend as the lb probes it. */
export interface UpstreamView {
  server: string;
  healthy: boolean;
  detail?: string;
  latencyMs?: number;
  since?: number;
}

/** Everything the derivation needs to know about one node; built by the server's store. */
export interface NodeView {
  name: string;
  role: NodeRole;
  online: boolean;
  lastSeen?: number;
  vrrp: VrrpView[];
  /** Addresses the node's KERNEL has configured (no prefix), from the last snapshot + changes. */
  addresses: string[];
  /** Of `addresses`, those the kernel has only on interfaces that are down (VH-6). */
  downLinkAddresses?: string[];
  services: { nginx?: ServiceView; keepalived?: ServiceView; tomcat?: ServiceView };
  /** false when the agent says keepalived is not running; undefined when it did not say. */
  keepalivedRunning?: boolean;
  /** Agent clock minus server clock, ms; null until measured. */
  clockOffsetMs: number | null;
  /** Recent VRRP state changes (epoch ms), for FLAPPING; the store prunes old ones. */
  transitions?: { instance: string; at: number }[];
  /** Upstreams as the lb's probes see them (snapshot + upstream.health). */
  upstreams?: UpstreamView[];
  /** The node's keepalived.conf as last observed (config.observed), parsed. */
  keepalivedConfig?: KeepalivedConfig;
  /** The agent says it cannot write its outbox (stats.agent.outboxError): it is retrying. */
  outboxError?: { message: string; since: number };
}

/** A VIP the cluster is known to float, and the VRRP instance that owns it. */
export interface KnownVip {
  address: string;
  instance: string;
}

export interface ClusterInput {
  id: string;
  name: string;
  nodes: NodeView[];
  /** VIPs remembered from every lb's VRRP config, so a dead keepalived does not hide one. */
  knownVips: ReadonlyMap<string, string> | readonly KnownVip[];
  now: number;
  /** Overrides of DEFAULT_THRESHOLDS. */
  thresholds?: Partial<RuleThresholds>;
}
