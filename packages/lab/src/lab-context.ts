import type { ClusterModel } from '@keepwatch/shared';
import type { HostPaths } from './paths';
import type { StateStore } from './state';
import type { LabHost, Topology } from './topology';

/** What every service controller needs to know about the lab it acts in. */
export interface LabContext {
  readonly topo: Topology;
  /** The lab as a Keepwatch cluster model: every keepalived.conf and nginx.conf is rendered from it. */
  readonly model: ClusterModel;
  readonly baseDir: string;
  readonly repoRoot: string;
  readonly state: StateStore;
  readonly log: (line: string) => void;
  paths(host: LabHost): HostPaths;
}

export interface ServiceStatus {
  running: boolean;
  /** Main pid first (keepalived parent, nginx master, JVM), then the rest. */
  pids: number[];
}

/** One kind of daemon on one host. `start` resolves once the process exists; `ready` once it answers. */
export interface ServiceController {
  start(signal?: AbortSignal): Promise<void>;
  ready(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  status(): Promise<ServiceStatus>;
}
