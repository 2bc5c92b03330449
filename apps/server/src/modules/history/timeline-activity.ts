import type {
  HistoryEvent,
  HistoryTimelineQuery,
  TimelineDrillData,
  TimelinePushData,
} from '@keepwatch/shared';
import type {
  DrillActivity,
  HistoryRepository,
  PushActivity,
} from '../../storage/history-repository';

/*
 * Config pushes and drills as timeline entries, read (never written) from the config module's
 * `config_pushes` and the drills module's `drills` tables (migrations 060 and 050; their
 * owners write them, this only reads, through app.repos.history). A push or drill that overlaps [from, to) yields its
 * entries; each entry is then kept only if its own time is in range.
 */

interface PushHostJson {
  host: string;
  status: string;
  error?: string;
  finishedAt?: number;
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

/** Pushes and drills as entries, through app.repos.history (pushes(), drills()). */
export class TimelineActivity {
  constructor(private readonly repo: HistoryRepository) {}

  /** Entries of q.cluster in [q.from, q.to), of q.node only when set, of q's types when listed. */
  async entries(
    q: HistoryTimelineQuery,
    types: readonly string[],
    limit: number,
  ): Promise<HistoryEvent[]> {
    const wanted = (type: string): boolean => types.length === 0 || types.includes(type);
    if (!types.some((t) => t.startsWith('push.') || t.startsWith('drill.')) && types.length > 0) {
      return [];
    }
    const [pushes, drills] = await Promise.all([
      this.repo.pushes(q.cluster, q.from, q.to, limit),
      this.repo.drills(q.cluster, q.from, q.to, limit),
    ]);
    const out: HistoryEvent[] = [
      ...pushes.flatMap((r) => pushEntries(r, q.node)),
      ...drills.flatMap((r) => drillEntries(r, q.node)),
    ];
    return out.filter((e) => e.ts >= q.from && e.ts < q.to && wanted(e.type));
  }
}

function pushEntries(r: PushActivity, node: string | undefined): HistoryEvent[] {
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

function drillEntries(r: DrillActivity, node: string | undefined): HistoryEvent[] {
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
