import type { Alert, HistoryEvent } from '@keepwatch/shared';

/*
 * The cluster timeline: stored changes (VRRP transitions, kernel VIP moves, health, upstreams,
 * config observations, agents' action results), the server's config pushes and drills (entries
 * of their own: push.*, drill.*) and the cluster's alerts, on one time axis. Pure: ranges and
 * events in, rows out.
 */

export type TimelineKind =
  | 'vrrp'
  | 'vip'
  | 'health'
  | 'upstream'
  | 'config'
  | 'action'
  | 'push'
  | 'drill'
  | 'alert'
  | 'other';

export interface TimelineRow {
  key: string;
  ts: number;
  /** Node name, or "" for cluster-wide rows (alerts). */
  node: string;
  kind: TimelineKind;
  type: string;
  summary: string;
  data: unknown;
  bad: boolean;
}

const KIND: Record<string, TimelineKind> = {
  'vrrp.transition': 'vrrp',
  'vrrp.group': 'vrrp',
  'vip.change': 'vip',
  'service.health': 'health',
  'upstream.health': 'upstream',
  'config.observed': 'config',
  'action.result': 'action',
  'push.started': 'push',
  'push.host': 'push',
  'push.finished': 'push',
  'drill.started': 'drill',
  'drill.phase': 'drill',
  'drill.result': 'drill',
};

const BAD_STATUS = new Set(['failed', 'rolled_back', 'aborted', 'interrupted']);

/** Where a row leads: a drill to its page, a push to the cluster's config page. */
export function rowLink(row: TimelineRow, clusterId: string): string | null {
  const d = (row.data ?? {}) as Record<string, unknown>;
  if (row.kind === 'drill' && typeof d['drillId'] === 'string') {
    return `#/drills/${encodeURIComponent(d['drillId'])}`;
  }
  if (row.kind === 'push') return `#/clusters/${encodeURIComponent(clusterId)}/config`;
  return null;
}

function isBad(e: HistoryEvent): boolean {
  const d = e.data as Record<string, unknown> | null;
  if (!d) return false;
  if (e.type === 'vrrp.transition') return ['FAULT', 'STOP'].includes(String(d['state']));
  if (e.type === 'service.health')
    return (d['health'] as { healthy?: boolean } | undefined)?.healthy === false;
  if (e.type === 'upstream.health')
    return (
      (d['upstream'] as { health?: { healthy?: boolean } } | undefined)?.health?.healthy === false
    );
  if (e.type === 'action.result') return d['ok'] === false;
  if (e.type.startsWith('push.') || e.type === 'drill.result') {
    return BAD_STATUS.has(String(d['status']));
  }
  return false;
}

function activityId(data: unknown): string {
  const d = (data ?? {}) as Record<string, unknown>;
  const id = d['pushId'] ?? d['drillId'];
  return typeof id === 'string' ? id : '';
}

export function timelineRows(
  events: readonly HistoryEvent[],
  alerts: readonly Alert[],
  cluster: string,
  from: number,
  to: number,
): TimelineRow[] {
  const rows: TimelineRow[] = events.map((e) => ({
    key: `${e.agentId}:${e.seq}:${e.type}:${e.ts}:${e.node}:${activityId(e.data)}`,
    ts: e.ts,
    node: e.node,
    kind: KIND[e.type] ?? 'other',
    type: e.type,
    summary: e.summary,
    data: e.data,
    bad: isBad(e),
  }));
  for (const a of alerts) {
    if (a.cluster !== cluster) continue;
    const push = (ts: number, type: 'alert.firing' | 'alert.resolved'): void => {
      if (ts < from || ts >= to) return;
      rows.push({
        key: `alert:${a.id}:${type}`,
        ts,
        node: '',
        kind: 'alert',
        type,
        summary: a.message,
        data: a,
        bad: type === 'alert.firing',
      });
    };
    push(a.firingAt, 'alert.firing');
    if (a.resolvedAt !== null) push(a.resolvedAt, 'alert.resolved');
  }
  return rows.sort((x, y) => x.ts - y.ts || x.key.localeCompare(y.key));
}

export const PRESETS_MS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
} as const;
export type Preset = keyof typeof PRESETS_MS;

export interface Range {
  from: number;
  to: number;
  /** The range ends at "now" and follows it. */
  live: boolean;
}

/** From the URL: ?from&to (fixed), ?at (±5 min around a moment), ?span (live, default 15m). */
export function rangeFromQuery(q: URLSearchParams, now: number): Range {
  const from = Number(q.get('from'));
  const to = Number(q.get('to'));
  if (from > 0 && to > from) return { from, to, live: false };
  const at = Number(q.get('at'));
  if (at > 0) return { from: at - 5 * 60_000, to: at + 5 * 60_000, live: false };
  const span = PRESETS_MS[(q.get('span') ?? '15m') as Preset] ?? PRESETS_MS['15m'];
  return { from: now - span, to: now + 60_000, live: true };
}

/** Zoom by `factor` (0.5 = in, 2 = out) around the middle; a live range stays anchored at now. */
export function zoom(r: Range, factor: number, now: number): Range {
  const span = Math.max(60_000, Math.min(30 * 86_400_000, (r.to - r.from) * factor));
  if (r.live) return { from: now - span, to: now + 60_000, live: true };
  const mid = (r.from + r.to) / 2;
  return { from: Math.round(mid - span / 2), to: Math.round(mid + span / 2), live: false };
}
