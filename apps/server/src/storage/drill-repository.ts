import type {
  Drill,
  DrillKind,
  DrillOptions,
  DrillPhase,
  DrillPreflight,
  DrillReport,
  DrillSchedule,
  DrillStatus,
  DrillSummary,
  DrillWindow,
} from '@keepwatch/shared';
import type { ClusterWork } from './cluster-work';

/*
 * Drills' side of the storage contract (repositories.ts): the drills rows (one per drill,
 * options, preflight and report as JSON) and the drill schedules. Implemented once in
 * sql-drills.ts for both engines; drills.contract.test.ts runs it on SQLite and a real
 * PostgreSQL. Policy (preflight, the runner, next runs inside a window) stays in
 * modules/drills.
 */

export interface NewDrill {
  id: string;
  clusterId: string;
  kind: DrillKind;
  options: DrillOptions;
  preflight: DrillPreflight | null;
  report: DrillReport;
  startedBy: string;
  scheduleId: number | null;
  startedAt: number;
  /** The replica running it (RS-3); null for a single server. */
  owner: string | null;
}

export interface DrillUpdate {
  status?: DrillStatus;
  phase?: DrillPhase;
  report?: DrillReport;
  endedAt?: number | null;
  error?: string | null;
}

export type DrillInsertOutcome =
  | { ok: true }
  /** A drill or push of the cluster is still `running` (SPEC RS-2, RS-6): nothing was written. */
  | { ok: false; holder: ClusterWork };

export interface LastProven {
  at: number;
  kind: DrillKind;
  id: string;
}

export interface DrillRepository {
  /**
   * RS-2/RS-6: stores the drill as `running` in phase `preflight` unless another drill or a
   * config push of its cluster is `running`: the check and the insert in one transaction under
   * the cluster-work lock (sql-cluster-work.ts), so of replicas starting work at once one stores it.
   */
  insert(d: NewDrill): Promise<DrillInsertOutcome>;
  /** RS-4: changes nothing of a drill already `interrupted`. */
  update(id: string, u: DrillUpdate): Promise<void>;
  get(id: string): Promise<Drill | undefined>;
  /** Newest first (started_at, then insertion order). */
  list(clusterId: string | undefined, limit: number): Promise<DrillSummary[]>;
  /** The drills still `running`, by id, with their owner replica (null: a single server's). */
  running(): Promise<{ id: string; owner: string | null }[]>;
  /**
   * Marks the given drills `interrupted` (ended at `at`, the reason in error) if they are
   * still `running`; the ids it changed.
   */
  interrupt(ids: readonly string[], at: number, reason: string): Promise<string[]>;
  /** The last passed drill per cluster of one of these kinds (proof of failover, PR-1). */
  lastProven(kinds: readonly DrillKind[]): Promise<Map<string, LastProven>>;
  clusterIds(): Promise<string[]>;
}

/** A schedule as stored: DrillSchedule without the derived next run. */
export type DrillScheduleRecord = Omit<DrillSchedule, 'nextRunAt'>;

export interface NewDrillSchedule {
  clusterId: string;
  kind: DrillKind;
  options: DrillOptions;
  cron: string;
  timezone: string;
  window: DrillWindow;
  enabled: boolean;
}

export interface DrillSchedulesRepository {
  /** By id. */
  list(): Promise<DrillScheduleRecord[]>;
  get(id: number): Promise<DrillScheduleRecord | undefined>;
  create(s: NewDrillSchedule, by: string, at: number): Promise<DrillScheduleRecord>;
  /** Replaces the definition (not the run record); undefined if there is no such schedule. */
  replace(id: number, s: NewDrillSchedule): Promise<DrillScheduleRecord | undefined>;
  delete(id: number): Promise<boolean>;
  /** A run happened (or was skipped/refused) at `at`. */
  ran(id: number, at: number, drillId: string | null, result: string): Promise<void>;
  /**
   * SC-5: takes the run at `at` for this replica if the schedule's last run is still
   * `lastRunAt` (a compare-and-set: of two replicas claiming one run, one gets it), recording
   * `result` (`starting`, `skipped`) with no drill yet. False: already claimed or deleted.
   */
  claimRun(id: number, lastRunAt: number | null, at: number, result: string): Promise<boolean>;
  /** The last run's result arrived. */
  result(id: number, result: string): Promise<void>;
}
