import type { NodeView, RuleThresholds, StatusCluster } from '@keepwatch/shared';
import { deriveCluster } from '@keepwatch/shared';
import type { ClusterEntry, Derived } from './cluster-entry';
import { deriveHorizon } from './derive-horizon';

/*
 * When ClusterStore derives a cluster again, and when its cached picture still holds: derived
 * only after an input changed it or its time horizon passed (derive-horizon.ts), so a change
 * costs one cluster, not the fleet.
 */

/**
 * The cluster's status: the cached derivation while it holds, else a new one (cached). The
 * nodes are gathered only when the cached horizon has passed (status() asks every cluster).
 */
export function derivedCluster(
  entry: ClusterEntry,
  nodesOf: () => NodeView[],
  now: number,
  thresholds: Partial<RuleThresholds>,
): StatusCluster {
  const derived = entry.derived;
  if (derived && now < derived.until) return derived.value;
  const nodes = nodesOf();
  if (derived) {
    // DH-4: no input since `at`, only lastSeen moved (seen() keeps it current in the cached
    // picture): the horizon from `at` with today's lastSeen says whether a time rule could
    // answer otherwise by now (issue 11: every cluster was derived again every staleAfterMs
    // while its agents kept ponging, 5,000 clusters a quarter of a minute at 10,000 agents).
    const until = deriveHorizon(nodes, derived.at, thresholds);
    if (now < until) {
      derived.until = until;
      return derived.value;
    }
  }
  const value = deriveCluster({
    id: entry.id,
    name: entry.name,
    nodes,
    knownVips: entry.knownVips,
    now,
    thresholds,
  });
  const watch =
    value.findings.some((f) => f.rule === 'AGENT_STALE') ||
    value.vips.some((v) => v.holders.length > 1 || v.masters.length > 1);
  entry.derived = { value, at: now, until: deriveHorizon(nodes, now, thresholds), watch };
  return value;
}

/**
 * A pong of node `name` at `at` seen against the cached picture: true if it still holds (its
 * lastSeen moved on in it), false if it must be derived anew. A fresh node stays fresh for
 * longer (the cached horizon is merely early); a stale one that speaks again may not.
 */
export function pongKeepsPicture(derived: Derived, name: string, at: number): boolean {
  let shown: StatusCluster['nodes'][number] | undefined;
  for (const n of derived.value.nodes) if (n.name === name && n.online) shown ??= n;
  if (!shown) return true;
  // SB-3: a contested VIP's claimant not heard from since the takeover may now confirm a
  // split brain: derive anew. Contested VIPs and stale nodes are rare: whether the picture
  // holds any is looked up once per derivation (`watch`), not per pong (issue 11).
  const contested =
    derived.watch &&
    derived.value.vips.some(
      (v) =>
        (v.holders.length > 1 && v.holders.includes(name)) ||
        (v.masters.length > 1 && v.masters.includes(name)),
    );
  if (contested || (derived.watch && derived.value.findings.some((f) => f.rule === 'AGENT_STALE')))
    return false;
  shown.lastSeen = at;
  return true;
}
