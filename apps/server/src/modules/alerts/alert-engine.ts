import type { Finding, FindingArgs, StatusCluster } from '@keepwatch/shared';

/*
 * Pure alert lifecycle. A finding becomes an alert under a stable key; the alert fires when
 * the key has been observed continuously for `holdMs` (so a failover's millisecond-long
 * in-between states do not page anyone), resolves when the key is no longer observed, and
 * may be re-notified every `renotifyMs` while firing. Nothing here touches the database.
 */

export interface ObservedAlert {
  key: string;
  rule: string;
  severity: string;
  cluster: string;
  message: string;
  /** The finding's rule ID and facts (SPEC.md NL-2), for messages in the reader's language. */
  code?: string;
  args?: FindingArgs;
  text?: Finding['text'];
}

export interface ActiveAlert extends ObservedAlert {
  id: number;
  firingAt: number;
  lastNotifiedAt: number | null;
}

export interface AlertPlan {
  fire: ObservedAlert[];
  resolve: ActiveAlert[];
  renotify: ActiveAlert[];
  /** key → first time seen, for keys observed but not yet firing. */
  pending: Map<string, number>;
}

export interface PlanInput {
  active: readonly ActiveAlert[];
  observed: readonly ObservedAlert[];
  pending: ReadonlyMap<string, number>;
  now: number;
  holdMs: number;
  /** 0 = never re-notify. */
  renotifyMs: number;
}

/** Rules whose message carries details that change while the problem stays the same. */
const DETAIL_AFTER_COLON = new Set(['SERVICE_DOWN', 'MASTER_NGINX_DOWN']);

/**
 * cluster|rule|subject. The subject is the VIP, the nodes and the message with digits
 * blanked (seconds, ms, counts change while the alert is the same one).
 */
export function alertKey(cluster: string, f: Finding): string {
  const text = DETAIL_AFTER_COLON.has(f.rule) ? (f.message.split(': ')[0] ?? f.message) : f.message;
  const stem = text.replace(/\d+/g, '#');
  return [cluster, f.rule, f.vip ?? '', (f.nodes ?? []).join(','), stem].join('|');
}

/**
 * One split brain per VRRP instance, whatever form it takes: SB-1 (VIP in two kernels) and
 * SB-2 (two MASTERs) of the same instance replace each other as a split heals or deepens,
 * and that must not resolve one alert and fire another.
 */
function splitBrainKey(c: StatusCluster, f: Finding): string | undefined {
  if (f.rule !== 'SPLIT_BRAIN') return undefined;
  const instance = f.vip
    ? c.vips.find((v) => v.address === f.vip)?.instance
    : /MASTER for (\S+)$/.exec(f.message)?.[1];
  return instance === undefined ? undefined : `${c.id}|SPLIT_BRAIN|instance:${instance}`;
}

export function observe(clusters: readonly StatusCluster[]): ObservedAlert[] {
  const byKey = new Map<string, ObservedAlert>();
  for (const c of clusters) {
    for (const f of c.findings) {
      const key = splitBrainKey(c, f) ?? alertKey(c.id, f);
      if (!byKey.has(key))
        byKey.set(key, {
          key,
          rule: f.rule,
          severity: f.severity,
          cluster: c.id,
          message: f.message,
          ...(f.code !== undefined && { code: f.code }),
          ...(f.args !== undefined && { args: f.args }),
          ...(f.text !== undefined && { text: f.text }),
        });
    }
  }
  return [...byKey.values()];
}

export function planAlerts(input: PlanInput): AlertPlan {
  const { now, holdMs, renotifyMs } = input;
  const activeKeys = new Map(input.active.map((a) => [a.key, a]));
  const observedKeys = new Set(input.observed.map((o) => o.key));
  const pending = new Map<string, number>();
  const fire: ObservedAlert[] = [];
  for (const o of input.observed) {
    if (activeKeys.has(o.key)) continue;
    const since = input.pending.get(o.key) ?? now;
    if (now - since >= holdMs) fire.push(o);
    else pending.set(o.key, since);
  }
  const resolve = input.active.filter((a) => !observedKeys.has(a.key));
  const renotify =
    renotifyMs > 0
      ? input.active.filter(
          (a) => observedKeys.has(a.key) && now - (a.lastNotifiedAt ?? a.firingAt) >= renotifyMs,
        )
      : [];
  return { fire, resolve, renotify, pending };
}
