import type { LiveDrillMessage, ProbeSampleTuple } from '@keepwatch/shared';

/*
 * The truth table's client-probe column, fed by a running drill's probe (drill.samples on the
 * live feed): per load balancer, its own address's last answer, and the share of the VIP's
 * requests it answered in the last WINDOW_MS. Pure: the hook (use-drill-probe.ts) folds live
 * messages in with `foldProbe` and the table reads `probeCell`.
 */

export const WINDOW_MS = 2_000;
const KEEP = 400;

export interface ProbeState {
  /** Running drills of this cluster (from drill.phase). */
  drills: ReadonlySet<string>;
  /** The last samples per target ("vip" or an LB's name), newest last. */
  samples: ReadonlyMap<string, readonly ProbeSampleTuple[]>;
}

export const emptyProbe: ProbeState = { drills: new Set(), samples: new Map() };

export function foldProbe(s: ProbeState, m: LiveDrillMessage, clusterId: string): ProbeState {
  if (m.type === 'drill.phase') {
    if (m.clusterId !== clusterId) return s;
    const drills = new Set(s.drills);
    if (m.status === 'running') drills.add(m.drillId);
    else drills.delete(m.drillId);
    return drills.size === 0 ? emptyProbe : { ...s, drills };
  }
  if (m.type !== 'drill.samples' || !s.drills.has(m.drillId)) return s;
  const samples = new Map(s.samples);
  samples.set(m.target, [...(samples.get(m.target) ?? []), ...m.samples].slice(-KEEP));
  return { ...s, samples };
}

export interface ProbeCell {
  /** The LB's own address: its last result (HTTP status or failure) and latency. */
  own: { result: ProbeSampleTuple[2]; ms: number } | null;
  /** Of the VIP's requests in the window: how many this LB answered, of how many. */
  viaVip: { answered: number; total: number } | null;
}

export function probeCell(s: ProbeState, node: string): ProbeCell | null {
  if (s.drills.size === 0) return null;
  const own = s.samples.get(node)?.at(-1);
  const vip = s.samples.get('vip') ?? [];
  const newest = vip.at(-1)?.[0];
  const recent = newest === undefined ? [] : vip.filter((x) => x[0] > newest - WINDOW_MS);
  return {
    own: own ? { result: own[2], ms: own[1] } : null,
    viaVip:
      recent.length === 0
        ? null
        : { answered: recent.filter((x) => x[3] === node).length, total: recent.length },
  };
}
