import type {
  ChangesetDetail,
  ChangesetSummary,
  ConfigChangeInput,
  ConfigComponentKind,
  PushView,
} from '@keepwatch/shared';
import type { ClusterWork } from './cluster-work';

/*
 * The configuration module's storage contract (issue 12): the live files each load
 * balancer's agent observes, versions (changesets) and pushes with their per-host progress.
 * sql-config.ts implements it once over both drivers; config.contract.test.ts runs it on
 * SQLite and a real PostgreSQL.
 */

/** What an agent last observed of one component on one host. */
export interface LiveFile {
  clusterId: string;
  node: string;
  component: ConfigComponentKind;
  agentId: string;
  path: string;
  sha256: string;
  content: string;
  includes: { path: string; sha256: string; content: string }[];
  test?: { ok: boolean; code: number | null; output: string };
  observedAt: number;
}

/** One host's file in a changeset (files a push did not touch are carried, changed = false). */
export interface ChangesetFile {
  host: string;
  component: ConfigComponentKind;
  path: string;
  sha256: string;
  content: string;
  changed: boolean;
}

export interface NewChangeset {
  id: string;
  clusterId: string;
  createdAt: number;
  author: string;
  message: string;
  pushId?: string;
  rollbackOf?: string;
  files: ChangesetFile[];
}

/** PU-14/PU-15: a refusal names the running push or drill of the cluster that kept it out. */
export type PushCreateOutcome = { ok: true } | { ok: false; holder: ClusterWork };

export interface ConfigRepository {
  /** Inserts or replaces the file of (cluster, node, component). */
  saveLive(file: LiveFile): Promise<void>;
  /** A cluster's live files by host then component. */
  liveOf(clusterId: string): Promise<LiveFile[]>;
  liveFile(
    clusterId: string,
    node: string,
    component: ConfigComponentKind,
  ): Promise<LiveFile | undefined>;
  /** Every cluster's live files, by cluster, host, component (VR-1 across clusters). */
  allLive(): Promise<LiveFile[]>;
  /** The cluster and node the agents table has for an agent (before its first hello here). */
  agentNode(agentId: string): Promise<{ clusterId: string; node: string } | undefined>;

  /** A changeset with its files, in one transaction. */
  addChangeset(cs: NewChangeset): Promise<void>;
  /** Newest first. */
  changesets(clusterId: string, limit?: number): Promise<ChangesetSummary[]>;
  latestChangeset(clusterId: string): Promise<ChangesetDetail | undefined>;
  changeset(id: string): Promise<ChangesetDetail | undefined>;

  /**
   * PU-14/PU-15: stores a new running push unless a push or a drill of its cluster is
   * `running` already (on any replica): the check and the insert in one transaction under the
   * cluster-work lock (sql-cluster-work.ts), so of replicas starting work at once one stores it. `owner`: the replica running it (PU-12);
   * null for a single server.
   */
  createPush(
    view: PushView,
    changes: readonly ConfigChangeInput[],
    owner?: string | null,
  ): Promise<PushCreateOutcome>;
  /**
   * Stores the push's status, summary, hosts, finish time and changeset; PU-13: changes
   * nothing of a push already `interrupted`.
   */
  savePush(view: PushView): Promise<void>;
  /**
   * PU-9/PU-12: stores `view` (an interrupted one) only if the push is still `running`; false
   * when another replica (or a save) got there first: of any number of callers one is true.
   */
  interruptPush(view: PushView): Promise<boolean>;
  push(id: string): Promise<PushView | undefined>;
  /** Newest first. */
  pushes(clusterId: string, limit?: number): Promise<PushView[]>;
  /** Pushes whose status is still `running` (PU-9 on start). */
  runningPushes(): Promise<PushView[]>;
  /** The pushes still `running`, by id, with their owner replica (null: a single server's). */
  runningPushOwners(): Promise<{ id: string; owner: string | null }[]>;
}
