import { DEFAULT_THRESHOLDS, type NodeView, type RuleThresholds } from '@keepwatch/shared';

/*
 * How long a cluster's derived status stays true with no new input (issue 11: deriving every
 * cluster on every change made each hello cost time proportional to the fleet). Only the
 * time rules read the clock (packages/shared time-rules.ts), so the horizon is the first
 * instant one of them can change its answer:
 *
 *   DH-1  SA-1: an online node turns stale just after lastSeen + staleAfterMs; once stale, its
 *         finding counts the silent seconds, so it is re-derived every second.
 *   DH-2  FL-1: a transition leaves the flap window at at + flapWindowMs, and one stamped in
 *         the future enters it at `at`.
 *   DH-3  anything else changes only with an input (hello, data, offline, clock), which
 *         drops the cached derivation (ClusterStore.emit).
 *   DH-4  a pong moves only lastSeen, in the node and in the cached picture (ClusterStore.seen):
 *         when the horizon passes, it is taken again from the derivation's own time with the
 *         nodes' current lastSeen; if that one still lies ahead, the picture is still what a
 *         derivation would give and is kept (a clock offset move under CLOCK_PATCH_MS still
 *         rides the next change). A node silent past staleAfterMs is derived anew.
 */

/** Once stale, the silent-seconds count in AGENT_STALE moves on every second. */
const STALE_TICK_MS = 1000;

/** The first time after `now` at which deriving `nodes` again may give another answer. */
export function deriveHorizon(
  nodes: Iterable<NodeView>,
  now: number,
  over: Partial<RuleThresholds> = {},
): number {
  const t = { ...DEFAULT_THRESHOLDS, ...over };
  let until = Number.POSITIVE_INFINITY;
  for (const n of nodes) {
    if (n.online && n.lastSeen !== undefined) {
      const staleAt = n.lastSeen + t.staleAfterMs;
      until = Math.min(until, staleAt >= now ? staleAt + 1 : now + STALE_TICK_MS);
    }
    for (const tr of n.transitions ?? []) {
      const edge = tr.at > now ? tr.at : tr.at + t.flapWindowMs;
      if (edge > now) until = Math.min(until, edge);
    }
  }
  return until;
}
