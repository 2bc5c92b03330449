import type { Database, Statement } from 'better-sqlite3';
import type {
  HistoryEvent,
  HistoryTimelineQuery,
  TimelineDrillData,
  TimelinePushData,
} from '@keepwatch/shared';

/*
 * Config pushes and drills as timeline entries, read (never written) from the config module's
 * `config_pushes` and the drills module's `drills` tables (migrations 060 and 050; their
 * owners write them, this only reads). A push or drill that overlaps [from, to) yields its
 * entries; each entry is then kept only if its own time is in range.
 */

interface PushRow {
  id: string;
  createdAt: number;
  finishedAt: number | null;
  author: string;
  message: string;
  status: string;
  summary: string;
  rollbackOf: string | null;
  hosts: string;
}

interface PushHostJson {
  host: string;
  status: string;
  error?: string;
  finishedAt?: number;
}

interface DrillRow {
  id: string;
  kind: string;
  status: string;
  startedBy: string;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
  faultAt: number | null;
  restoreAt: number | null;
  downtimeMs: number | null;
  failedRequests: number | null;
  totalRequests: number | null;
  targets: string | null;
}

const entry = (ts: number, node: string, type: string, summary: string, data: unknown) => ({
  ts,
  receivedAt: ts,
  node,
  agentId: 'server',
  seq: 0,
  type,
  summary,
  data,
});

export class TimelineActivity {
  private readonly pushes: Statement;
  private readonly drills: Statement;

  constructor(db: Database) {
    this.pushes = db.prepare(
      `SELECT id, created_at AS createdAt, finished_at AS finishedAt, author, message, status,
              summary, rollback_of AS rollbackOf, hosts
       FROM config_pushes
       WHERE cluster_id = ? AND dry_run = 0 AND created_at < ? AND (finished_at IS NULL OR finished_at >= ?)
       ORDER BY created_at LIMIT ?`,
    );
    // The report holds every probe sample: only the few fields wanted are taken out of it.
    this.drills = db.prepare(
      `SELECT id, kind, status, started_by AS startedBy, started_at AS startedAt, ended_at AS endedAt, error,
              json_extract(report, '$.faultAt') AS faultAt, json_extract(report, '$.restoreAt') AS restoreAt,
              json_extract(report, '$.downtimeMs') AS downtimeMs,
              json_extract(report, '$.failedRequests') AS failedRequests,
              json_extract(report, '$.totalRequests') AS totalRequests,
              json_extract(report, '$.targets') AS targets
       FROM drills
       WHERE cluster_id = ? AND started_at < ? AND (ended_at IS NULL OR ended_at >= ?)
       ORDER BY started_at LIMIT ?`,
    );
  }

  /** Entries of q.cluster in [q.from, q.to), of q.node only when set, of q's types when listed. */
  entries(q: HistoryTimelineQuery, types: readonly string[], limit: number): HistoryEvent[] {
    const wanted = (type: string): boolean => types.length === 0 || types.includes(type);
    if (!types.some((t) => t.startsWith('push.') || t.startsWith('drill.')) && types.length > 0) {
      return [];
    }
    const out: HistoryEvent[] = [
      ...(this.pushes.all(q.cluster, q.to, q.from, limit) as PushRow[]).flatMap((r) =>
        pushEntries(r, q.node),
      ),
      ...(this.drills.all(q.cluster, q.to, q.from, limit) as DrillRow[]).flatMap((r) =>
        drillEntries(r, q.node),
      ),
    ];
    return out.filter((e) => e.ts >= q.from && e.ts < q.to && wanted(e.type));
  }
}

function pushEntries(r: PushRow, node: string | undefined): HistoryEvent[] {
  const base = { pushId: r.id, message: r.message, author: r.author };
  const rollback = r.rollbackOf === null ? {} : { rollbackOf: r.rollbackOf };
  const hosts = JSON.parse(r.hosts) as PushHostJson[];
  const out: HistoryEvent[] = [];
  for (const h of hosts) {
    if (h.finishedAt === undefined || h.status === 'skipped' || h.status === 'pending') continue;
    if (node !== undefined && h.host !== node) continue;
    const data: TimelinePushData = {
      ...base,
      status: h.status,
      host: h.host,
      ...(h.error !== undefined && { error: h.error }),
    };
    out.push(entry(h.finishedAt, h.host, 'push.host', `push ${r.id}: ${h.status}`, data));
  }
  // Pushes are cluster-wide: a node's own timeline shows only its part.
  if (node !== undefined) return out;
  const started: TimelinePushData = { ...base, ...rollback, status: 'running' };
  out.push(entry(r.createdAt, '', 'push.started', `push ${r.id} started: ${r.message}`, started));
  if (r.finishedAt !== null) {
    const done: TimelinePushData = { ...base, ...rollback, status: r.status, summary: r.summary };
    out.push(entry(r.finishedAt, '', 'push.finished', `push ${r.id} ${r.status}`, done));
  }
  return out;
}

function drillEntries(r: DrillRow, node: string | undefined): HistoryEvent[] {
  const targets = r.targets === null ? [] : (JSON.parse(r.targets) as string[]);
  if (node !== undefined && !targets.includes(node)) return [];
  const base: TimelineDrillData = {
    drillId: r.id,
    kind: r.kind,
    status: r.status,
    startedBy: r.startedBy,
    targets,
  };
  const out: HistoryEvent[] = [
    entry(r.startedAt, '', 'drill.started', `drill ${r.kind} started`, {
      ...base,
      status: 'running',
    }),
  ];
  const phase = (ts: number | null, name: 'fault' | 'restore'): void => {
    if (ts === null) return;
    out.push(entry(ts, '', 'drill.phase', `drill ${r.kind}: ${name}`, { ...base, phase: name }));
  };
  phase(r.faultAt, 'fault');
  phase(r.restoreAt, 'restore');
  if (r.endedAt !== null) {
    const result: TimelineDrillData = {
      ...base,
      ...(r.faultAt !== null &&
        r.downtimeMs !== null && {
          downtimeMs: r.downtimeMs,
          failedRequests: r.failedRequests ?? 0,
          totalRequests: r.totalRequests ?? 0,
        }),
      ...(r.error !== null && { error: r.error }),
    };
    out.push(entry(r.endedAt, '', 'drill.result', `drill ${r.kind} ${r.status}`, result));
  }
  return out;
}

/** Stored changes and activity entries as one list by time (ts, then agent and seq), cut at `limit`. */
export function mergeTimeline(
  stored: { events: HistoryEvent[]; truncated: boolean },
  activity: HistoryEvent[],
  limit: number,
): { events: HistoryEvent[]; truncated: boolean } {
  if (activity.length === 0) return stored;
  // A cut stored list ends at its last ts: activity after it belongs to the next page.
  const last = stored.events.at(-1)?.ts;
  const kept =
    stored.truncated && last !== undefined ? activity.filter((e) => e.ts <= last) : activity;
  const all = [...stored.events, ...kept].sort(
    (a, b) => a.ts - b.ts || a.agentId.localeCompare(b.agentId) || a.seq - b.seq,
  );
  return { events: all.slice(0, limit), truncated: stored.truncated || all.length > limit };
}
