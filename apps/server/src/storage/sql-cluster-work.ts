import type { ClusterWork } from './cluster-work';
import { txGet, txLock, type TxBody } from './sql-driver';

/*
 * One drill or config push per cluster across replicas (config SPEC PU-14/PU-15, drills SPEC
 * RS-2/RS-6): the step a drill's and a push's start run first in their inserting transaction.
 * Both take the same lock, so of replicas starting work on one cluster at once, one sees the
 * cluster free and inserts; the others' check then sees its row. Without the lock PostgreSQL's
 * READ COMMITTED lets two transactions both find nothing running and both insert; SQLite has
 * one writer anyway.
 */

export const CLUSTER_WORK_LOCK = 'keepwatch.cluster.work';

const RUNNING_DRILL = `SELECT id, started_by AS "by", owner FROM drills
  WHERE cluster_id = $1 AND status = 'running' ORDER BY started_at, id LIMIT 1`;

const RUNNING_PUSH = `SELECT id, author AS "by", owner FROM config_pushes
  WHERE cluster_id = $1 AND status = 'running' ORDER BY created_at, id LIMIT 1`;

type Row = { id: string; by: string; owner: string | null } | undefined;

/**
 * Takes the cluster-work lock and returns the drill or push of the cluster still `running`
 * (a drill first), or undefined: the caller inserts its own in the same transaction.
 */
export function* runningClusterWork(clusterId: string): TxBody<ClusterWork | undefined> {
  yield txLock(CLUSTER_WORK_LOCK);
  const drill = (yield txGet(RUNNING_DRILL, [clusterId])) as Row;
  if (drill) return { kind: 'drill', id: drill.id, by: drill.by, owner: drill.owner ?? null };
  const push = (yield txGet(RUNNING_PUSH, [clusterId])) as Row;
  if (push) return { kind: 'push', id: push.id, by: push.by, owner: push.owner ?? null };
  return undefined;
}
