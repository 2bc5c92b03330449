import type {
  ActionResult,
  ConfigApplyParams,
  ConfigComponentKind,
  PushHost,
  PushView,
} from '@keepwatch/shared';

/*
 * What a rollout (push-runner.ts) is made of: the planned changes, the ports every effect
 * goes through (so the unit tests run it on a fake clock), the timings, and what its parts
 * share: how a step is recorded on a host, and the Stop that ends the rollout.
 */

export interface PlannedChange {
  host: string;
  component: ConfigComponentKind;
  content: string;
  /** The live file's sha256 when the push was planned (the agent refuses a change since). */
  baseHash?: string;
  /** The live file's content then: what a rollback writes back. */
  previous?: string;
}

export interface GateFacts {
  online: boolean;
  nginxHealthy?: boolean;
  /** Kernel VIP holders of the cluster (node names). */
  holders: string[];
  /** Latest VRRP transition of any load balancer (epoch ms), if known. */
  lastTransitionAt?: number;
  /** Every load balancer's VRRP instances as last reported (state, effective priority). */
  vrrp?: { node: string; instance: string; state: string; effectivePriority: number }[];
  /** The host's own address (requests through it must be served). */
  address?: string;
  vips: string[];
}

export interface PushPorts {
  now(): number;
  sleep(ms: number): Promise<void>;
  apply(host: string, params: ConfigApplyParams): Promise<ActionResult>;
  facts(host: string): GateFacts;
  /** One HTTP request on a fresh connection: served (any status below 500) or why not. */
  served(url: string): Promise<{ ok: boolean; detail: string }>;
  /** PU-10: what is known, now, of a host whose agent dropped mid-apply at `since`. */
  afterDrop(
    host: string,
    component: ConfigComponentKind,
    since: number,
  ): DropFacts | Promise<DropFacts>;
  /** Persist and broadcast the view (called after every change). */
  update(view: PushView): void;
}

export interface DropFacts {
  /** Start of the agent's current connection (epoch ms); undefined while it is offline. */
  onlineSince?: number;
  /** The result of the dropped config.apply, if the agent sent it later (its outbox replays it). */
  late?: ActionResult;
  /** sha256 of the host's live file of that component (its last config.observed). */
  liveHash?: string;
}

export interface PushTuning {
  stableMs: number;
  stableTimeoutMs: number;
  settleMs: number;
  requests: number;
  path: string;
  /** PU-10: how long to wait for a dropped agent to come back. */
  reconnectTimeoutMs: number;
  /** PU-10: how long after it is back to wait for its late result before reading the live file. */
  observeMs: number;
}

export const DEFAULT_TUNING: PushTuning = {
  stableMs: 5000,
  stableTimeoutMs: 60_000,
  settleMs: 2000,
  requests: 5,
  path: '/',
  reconnectTimeoutMs: 60_000,
  observeMs: 5000,
};

/** Ends the rollout at the first failure (PU-7); the message is the push's reason. */
export class Stop extends Error {}

/** How the rollout's parts record a host's steps and status (the view is saved each time). */
export interface HostLog {
  step(h: PushHost, step: string, ok: boolean, detail?: string): void;
  set(h: PushHost, status: PushHost['status'], error?: string): void;
}
